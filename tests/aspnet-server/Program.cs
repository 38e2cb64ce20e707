// The upload endpoint an ASP.NET Core developer writes: a minimal API taking one IFormFile (the
// framework's defaults: Kestrel's 30,000,000-byte body limit, FormOptions' limits), the file stored
// and served back, the form echoed as JSON. Started by the tests: dotnet aspnet-server.dll
// --urls http://127.0.0.1:<port>, storing under $UC_STORE; prints "listening <port>" once ready.
using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var store = Environment.GetEnvironmentVariable("UC_STORE") is { Length: > 0 } given ? given
    : Path.Combine(Path.GetTempPath(), $"uc-aspnet-{Environment.ProcessId}");
Directory.CreateDirectory(store);

app.MapGet("/health", () => Results.Json(new { status = "ok" }));
app.MapGet("/files/{id}", (string id) =>
    File.Exists(Path.Combine(store, Path.GetFileName(id)))
        ? Results.File(Path.Combine(store, Path.GetFileName(id)), "application/octet-stream")
        : Results.Json(new { code = 404, error = "no such file" }, statusCode: 404));

// A form posted by a mini-program carries no antiforgery token.
app.MapPost("/upload", async (IFormFile file, HttpRequest request) =>
{
    var id = Guid.NewGuid().ToString("N");
    var path = Path.Combine(store, id);
    await using (var target = File.Create(path))
        await file.CopyToAsync(target);
    await using var stored = File.OpenRead(path);
    var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(stored));
    var fields = request.Form.ToDictionary(f => f.Key,
        f => f.Value.Count == 1 ? (object?)f.Value[0] : f.Value.ToArray());
    return Results.Json(new
    {
        code = 0,
        data = new
        {
            url = $"/files/{id}", field = file.Name, filename = file.FileName, contentType = file.ContentType,
            size = file.Length, sha256, fields,
        },
    });
}).DisableAntiforgery();

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
Console.WriteLine($"listening {new Uri(address).Port}");
await app.WaitForShutdownAsync();
Directory.Delete(store, recursive: true);
