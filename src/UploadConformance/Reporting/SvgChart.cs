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
        var svg = Open(title, w, h, left);
        if (points.Count == 0) return Empty(svg, w, h);
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
        foreach (var s in series.Where(s => s.Points.Count > 0))
        {
            var d = string.Join(" ",
                s.Points.Select((p, i) =>
                string.Create(CultureInfo.InvariantCulture, $"{(i == 0 ? 'M' : 'L')}{Px(p.X):0.#},{Py(p.Y):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<path class=\"line\" d=\"{d}\" stroke=\"{s.Colour}\"/>");
            // A line's key is a stroke; a bar's (below) a block.
            legendX = Legend(svg, legendX, [(s.Name, s.Colour)], markerTop: 27, markerHeight: 3, textY: 31);
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Horizontal bars, each split into coloured segments that add up (where a request's time went).</summary>
    public static string StackedBars(string title, string unit, IReadOnlyList<(string Name, string Colour)> segments,
        IReadOnlyList<(string Label, IReadOnlyList<double> Values)> bars)
    {
        const int w = 640, left = 150, right = 24, top = 44, barHeight = 18, gap = 8;
        var h = top + bars.Count * (barHeight + gap) + 30;
        var svg = Open(title, w, h, left);
        if (bars.Count == 0) return Empty(svg, w, h);
        var max = Nice(bars.Max(b => b.Values.Sum()));
        double Px(double v) => left + v / max * (w - left - right);
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line class=\"grid\" x1=\"{Px(v):0.#}\" x2=\"{Px(v):0.#}\" y1=\"{top - 4}\" y2=\"{h - 26}\"/>"
                + $"<text class=\"tick\" x=\"{Px(v):0.#}\" y=\"{h - 12}\" text-anchor=\"middle\">{Short(v)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis\" x=\"{w - right}\" y=\"18\" text-anchor=\"end\">{E(unit)}</text>");
        for (var b = 0; b < bars.Count; b++)
        {
            var y = top + b * (barHeight + gap);
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{left - 6}\" y=\"{y + 13}\" "
                + $"text-anchor=\"end\">{E(bars[b].Label)}</text>");
            var x = 0.0;
            for (var s = 0; s < segments.Count && s < bars[b].Values.Count; s++)
            {
                var value = bars[b].Values[s];
                svg.Append(CultureInfo.InvariantCulture,
                    $"<rect class=\"bar\" x=\"{Px(x):0.#}\" y=\"{y}\" "
                    + $"width=\"{Math.Max(Px(x + value) - Px(x), 0):0.##}\" "
                    + $"height=\"{barHeight}\" fill=\"{segments[s].Colour}\"><title>{E(segments[s].Name)}: "
                    + $"{Short(value)} {E(unit)}</title></rect>");
                x += value;
            }
        }
        Legend(svg, left, segments, markerTop: 26, markerHeight: 6, textY: 32);
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Vertical bars with a label under each: counts in ranges, a distribution.</summary>
    public static string Bars(string title, string xLabel, string yLabel,
        IReadOnlyList<(string Label, double Value, string Colour)> bars)
    {
        const int w = 640, h = 270, left = 56, right = 16, top = 44, bottom = 40;
        var svg = Open(title, w, h, left);
        if (bars.Count == 0 || bars.All(b => b.Value == 0)) return Empty(svg, w, h);
        var max = Nice(bars.Max(b => b.Value));
        double Py(double y) => top + (1 - y / max) * (h - top - bottom);
        for (var i = 0; i <= 4; i++)
        {
            var v = max * i / 4;
            svg.Append(CultureInfo.InvariantCulture,
                $"<line class=\"grid\" x1=\"{left}\" x2=\"{w - right}\" y1=\"{Py(v):0.#}\" y2=\"{Py(v):0.#}\"/>"
                + $"<text class=\"tick\" x=\"{left - 6}\" y=\"{Py(v) + 4:0.#}\" text-anchor=\"end\">{Short(v)}</text>");
        }
        var slot = (w - left - right) / (double)bars.Count;
        // Labels thin out when bars are many, so they never overlap.
        var every = Math.Max(1, (int)Math.Ceiling(bars.Count * 60.0 / (w - left - right)));
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, colour) = bars[i];
            var x = left + i * slot;
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect class=\"bar\" x=\"{x + slot * 0.1:0.#}\" y=\"{Py(value):0.#}\" width=\"{slot * 0.8:0.##}\" "
                + $"height=\"{Py(0) - Py(value):0.#}\" fill=\"{colour}\"><title>{E(label)}: {Short(value)}</title>"
                + $"</rect>");
            if (i % every == 0)
                svg.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{x + slot / 2:0.#}\" "
                    + $"y=\"{h - bottom + 16}\" text-anchor=\"middle\">{E(label)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis\" x=\"{(left + w - right) / 2}\" y=\"{h - 6}\" text-anchor=\"middle\">"
            + $"{E(xLabel)}</text><text class=\"axis\" "
            + $"transform=\"translate(14 {(top + h - bottom) / 2}) rotate(-90)\" "
            + $"text-anchor=\"middle\">{E(yLabel)}</text></svg>");
        return svg.ToString();
    }

    private static StringBuilder Open(string title, int w, int h, int left)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg class=\"chart\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{E(title)}\"><title>{E(title)}"
            + $"</title><text class=\"title\" x=\"{Math.Min(left, 56)}\" y=\"18\">{E(title)}</text>");
        return svg;
    }

    private static string Empty(StringBuilder svg, int w, int h) => svg.Append(CultureInfo.InvariantCulture,
        $"<text class=\"empty\" x=\"{w / 2}\" y=\"{h / 2}\" text-anchor=\"middle\">no data</text></svg>").ToString();

    /// <summary>Each entry's colour and name along the top.</summary>
    /// <returns>Where the next entry goes.</returns>
    private static double Legend(StringBuilder svg, double x, IReadOnlyList<(string Name, string Colour)> entries,
        int markerTop, int markerHeight, int textY)
    {
        foreach (var (name, colour) in entries)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<rect x=\"{x:0.#}\" y=\"{markerTop}\" width=\"10\" height=\"{markerHeight}\" "
                + $"fill=\"{colour}\"/><text class=\"legend\" x=\"{x + 14:0.#}\" "
                + $"y=\"{textY}\">{E(name)}</text>");
            x += 24 + name.Length * 6.5;
        }
        return x;
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
