// The upload endpoint a Servlet developer writes: @MultipartConfig with its defaults,
// request.getParts(), the file stored and served back, the form's parameters echoed as JSON.
// Compiled by the tests with javac against Tomcat's servlet API and deployed as an exploded app.
import jakarta.servlet.annotation.MultipartConfig;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

@WebServlet(urlPatterns = {"/upload", "/files/*", "/health"})
@MultipartConfig
public class UploadServlet extends HttpServlet {
    private static final Path STORE =
        Path.of(System.getProperty("uc.store", System.getProperty("java.io.tmpdir") + "/uc-tomcat"));

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if ("/health".equals(request.getServletPath())) {
            json(response, 200, "{\"status\":\"ok\"}");
            return;
        }
        var name = request.getPathInfo() == null ? "" : Path.of(request.getPathInfo()).getFileName().toString();
        var file = STORE.resolve(name);
        if (name.isEmpty() || !Files.isRegularFile(file)) {
            json(response, 404, "{\"code\":404,\"error\":\"no such file\"}");
            return;
        }
        response.setContentType("application/octet-stream");
        response.setContentLengthLong(Files.size(file));
        Files.copy(file, response.getOutputStream());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Part file;
        try {
            file = request.getPart("file");
        } catch (Exception e) {
            json(response, 400, "{\"code\":400,\"error\":" + quote(e.getMessage()) + "}");
            return;
        }
        if (file == null || file.getSubmittedFileName() == null) {
            json(response, 400, "{\"code\":400,\"error\":\"no file under field \\\"file\\\"\"}");
            return;
        }
        Files.createDirectories(STORE);
        var id = UUID.randomUUID().toString().replace("-", "");
        var stored = STORE.resolve(id);
        try (InputStream in = file.getInputStream()) {
            Files.copy(in, stored);
        }
        var fields = new StringBuilder("{");
        for (Map.Entry<String, String[]> parameter : request.getParameterMap().entrySet()) {
            if (fields.length() > 1) fields.append(',');
            fields.append(quote(parameter.getKey())).append(':');
            var values = parameter.getValue();
            if (values.length == 1) fields.append(quote(values[0]));
            else {
                fields.append('[');
                for (int i = 0; i < values.length; i++) fields.append(i > 0 ? "," : "").append(quote(values[i]));
                fields.append(']');
            }
        }
        fields.append('}');
        json(response, 200, "{\"code\":0,\"data\":{\"url\":\"/files/" + id + "\",\"field\":" + quote(file.getName())
            + ",\"filename\":" + quote(file.getSubmittedFileName()) + ",\"contentType\":" + quote(file.getContentType())
            + ",\"size\":" + Files.size(stored) + ",\"sha256\":\"" + sha256(stored) + "\",\"fields\":" + fields + "}}");
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static void json(HttpServletResponse response, int status, String body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=UTF-8");
        var bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    private static String quote(String text) {
        if (text == null) return "null";
        var out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }
}
