using System.Globalization;
using System.Text;

namespace UploadConformance.Reporting;

/// <summary>Line charts as inline SVG, drawn here so the report needs no script and no network.</summary>
public static class SvgChart
{
    public sealed record Series(string Name, string Colour, IReadOnlyList<(double X, double Y)> Points);

    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        bool logX = false, Func<double, string>? xTick = null)
    {
        const int w = 640, h = 270, left = 56, right = 16, top = 44, bottom = 40;
        var points = series.SelectMany(s => s.Points).ToList();
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" "
            + $"aria-label=\"{E(title)}\"><title>{E(title)}</title>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"title\" x=\"{left}\" y=\"18\">{E(title)}</text>");
        if (points.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"empty\" x=\"{w / 2}\" y=\"{h / 2}\" text-anchor=\"middle\">no data</text></svg>");
            return svg.ToString();
        }
        double X(double x) => logX ? Math.Log10(Math.Max(x, 1)) : x;
        var minX = points.Min(p => X(p.X));
        var maxX = Math.Max(points.Max(p => X(p.X)), minX + 1e-9);
        var maxY = Nice(points.Max(p => p.Y));
        double Px(double x) => left + (X(x) - minX) / (maxX - minX) * (w - left - right);
        double Py(double y) => top + (1 - y / maxY) * (h - top - bottom);

        for (var i = 0; i <= 4; i++)
        {
            var y = maxY * i / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line class=\"grid\" x1=\"{left}\" x2=\"{w - right}\" y1=\"{Py(y):0.#}\" y2=\"{Py(y):0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"tick\" x=\"{left - 6}\" y=\"{Py(y) + 4:0.#}\" text-anchor=\"end\">{Short(y)}</text>");
        }
        var ticks = logX
            ? Enumerable.Range(0, (int)Math.Ceiling(maxX) + 1).Select(d => Math.Pow(10, d)).Where(t => X(t) >= minX
                && X(t) <= maxX + 1e-9)
            : Enumerable.Range(0, 6).Select(i => Math.Pow(10, minX) * 0 + minX + (maxX - minX) * i / 5);
        foreach (var t in ticks)
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"tick\" x=\"{Px(t):0.#}\" y=\"{h - bottom + 16}\" "
                + $"text-anchor=\"middle\">{E(xTick?.Invoke(t) ?? Short(t))}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis\" x=\"{(left + w - right) / 2}\" y=\"{h - 6}\" "
            + $"text-anchor=\"middle\">{E(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis\" transform=\"translate(14 {(top + h - bottom) / 2}) rotate(-90)\" "
            + $"text-anchor=\"middle\">{E(yLabel)}</text>");

        var legendX = left + 4.0;
        foreach (var s in series)
        {
            if (s.Points.Count == 0) continue;
            var d = string.Join(" ",
                s.Points.Select((p, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{Px(p.X):0.#},{Py(p.Y):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"line\" d=\"{d}\" stroke=\"{s.Colour}\"/>");
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{legendX:0.#}\" y=\"27\" width=\"10\" height=\"3\" fill=\"{s.Colour}\"/><text "
                + $"class=\"legend\" x=\"{legendX + 14:0.#}\" y=\"31\">{E(s.Name)}</text>");
            legendX += 24 + s.Name.Length * 6.5;
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static double Nice(double max)
    {
        if (max <= 0) return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
            if (step * magnitude >= max * 1.05) return step * magnitude;
        return 10 * magnitude;
    }

    public static string Short(double v) => Math.Abs(v) switch
    {
        >= 1e6 => (v / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1e4 => (v / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.#", CultureInfo.InvariantCulture),
        _ => v.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string E(string text) => System.Net.WebUtility.HtmlEncode(text);
}
