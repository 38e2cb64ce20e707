using UploadConformance.Requests;
using UploadConformance.Wire;

namespace UploadConformance.Flows;

/// <summary><see cref="AfterExpiry"/> sends the form unchanged once the credential it carries has expired.</summary>
public enum FlowChangeKind { Remove, Corrupt, Replace, AfterExpiry }

/// <summary>What a case changes in the upload its flow built, to see the endpoint guard itself: a signature
/// corrupted, a token removed, a key moved outside its prefix. <see cref="Target"/> is a formData field's name
/// (case-insensitive, as the stores read them) or <c>header:Name</c>.</summary>
public sealed record FlowChange(string Target, FlowChangeKind Kind, string? Value = null)
{
    public override string ToString() => Kind switch
    {
        FlowChangeKind.Remove => $"without {Target}",
        FlowChangeKind.Corrupt => $"{Target} corrupted",
        FlowChangeKind.AfterExpiry => "sent after the credential expired",
        _ => $"{Target} = {Value}",
    };

    public static RequestPlan Apply(RequestPlan plan, IReadOnlyList<FlowChange> changes)
    {
        if (changes.Count == 0) return plan;
        var request = plan.Request;
        var header = request.Header.ToList();
        var members = request.FormData.Members.ToList();
        foreach (var change in changes.Where(c => c.Kind != FlowChangeKind.AfterExpiry))
        {
            if (change.Target.StartsWith("header:", StringComparison.Ordinal))
            {
                var name = change.Target[7..];
                var i = header.FindIndex(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));
                if (i < 0) continue;
                if (change.Kind == FlowChangeKind.Remove) header.RemoveAt(i);
                else header[i] = KeyValuePair.Create(header[i].Key, Changed(header[i].Value, change));
                continue;
            }
            var j = members.FindIndex(m => m.Key.Equals(change.Target, StringComparison.OrdinalIgnoreCase));
            // A replaced field the flow does not send is added, before the file like the rest.
            if (j < 0 && change.Kind == FlowChangeKind.Replace)
                members.Add(KeyValuePair.Create(change.Target, (FormValue)new FormValue.Text(change.Value ?? "")));
            if (j < 0) continue;
            if (change.Kind == FlowChangeKind.Remove) members.RemoveAt(j);
            else if (members[j].Value is FormValue.Text text)
                members[j] = KeyValuePair.Create(members[j].Key, (FormValue)new FormValue.Text(Changed(text.Value,
                    change)));
        }
        return plan with
        {
            Request = request with { Header = header, FormData = new FormValue.Object(members) },
        };
    }

    /// <summary>Corrupting keeps the value's length and alphabet and changes its last letter or digit: a
    /// signature that reads like one and is wrong.</summary>
    private static string Changed(string value, FlowChange change)
    {
        if (change.Kind == FlowChangeKind.Replace) return change.Value ?? "";
        var chars = value.ToCharArray();
        for (var i = chars.Length - 1; i >= 0; i--)
        {
            if (!char.IsAsciiLetterOrDigit(chars[i])) continue;
            chars[i] = chars[i] switch { 'a' => 'b', 'A' => 'B', '0' => '1', _ => char.IsAsciiDigit(chars[i]) ? '0'
                : char.IsAsciiLetterUpper(chars[i]) ? 'A' : 'a' };
            return new string(chars);
        }
        return value + "x";
    }
}
