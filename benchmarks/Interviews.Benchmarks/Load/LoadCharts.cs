using System.Globalization;
using System.Text;

namespace Interviews.Benchmarks.Load;

/// <summary>The calendar chart, as a self-contained SVG: backlog over time per write rate, and write → calendar latency per rate.</summary>
internal static class LoadCharts
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];

    public static string Calendar(IReadOnlyList<CalendarRun> runs)
    {
        const int panelWidth = 460, panelHeight = 300, left = 70, top = 40, gap = 50, right = 30, legendHeight = 50;
        var width = (2 * (left + panelWidth)) + gap + right;
        var height = top + panelHeight + 50 + legendHeight;
        var svg = new StringBuilder();
        svg.AppendLine(Invariant, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(Invariant, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");

        // Left: backlog (writes not yet in every calendar) against seconds since the load started.
        var tMax = Report.NiceCeiling(runs.SelectMany(r => r.Backlog).Select(b => b.T).DefaultIfEmpty(1).Max());
        var bMax = Report.NiceCeiling(Math.Max(1, runs.SelectMany(r => r.Backlog).Select(b => (double)b.Backlog).DefaultIfEmpty(1).Max()));
        var x0 = left;
        Axes(svg, x0, top, panelWidth, panelHeight, tMax, bMax, "backlog: writes not yet in every calendar", "seconds since the load started", "writes");
        for (var i = 0; i < runs.Count; i++)
        {
            var points = runs[i].Backlog.Select(b => string.Create(Invariant, $"{x0 + (panelWidth * b.T / tMax):F1},{top + panelHeight - (panelHeight * b.Backlog / bMax):F1}"));
            svg.AppendLine(Invariant, $"<polyline fill=\"none\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"1.5\" points=\"{string.Join(' ', points)}\"/>");
        }

        // Right: p50 and p95 into every calendar, per write rate (rates evenly spaced).
        var x1 = left + panelWidth + gap + left;
        var lMax = Report.NiceCeiling(Math.Max(0.1, runs.SelectMany(r => new[] { r.Everywhere.P95, r.Everywhere.P50 }).Where(v => !double.IsNaN(v)).DefaultIfEmpty(1).Max()));
        Axes(svg, x1, top, panelWidth, panelHeight, double.NaN, lMax, "write → every calendar, p50 and p95", "writes per second", "seconds");
        double X(int i) => runs.Count == 1 ? x1 + (panelWidth / 2.0) : x1 + 30 + ((panelWidth - 60) * i / (runs.Count - 1.0));
        double Y(double s) => top + panelHeight - (panelHeight * s / lMax);
        for (var i = 0; i < runs.Count; i++)
        {
            svg.AppendLine(Invariant, $"<text x=\"{X(i):F1}\" y=\"{top + panelHeight + 18}\" text-anchor=\"middle\">{runs[i].Rate}{(runs[i].Failing is null ? "" : " (failing)")}</text>");
        }

        foreach (var (name, pick, dash) in new (string, Func<Stats, double>, string)[] { ("p50", s => s.P50, " stroke-dasharray=\"5 4\""), ("p95", s => s.P95, "") })
        {
            var points = runs.Select((r, i) => (X: X(i), V: pick(r.Everywhere))).Where(p => !double.IsNaN(p.V)).ToList();
            svg.AppendLine(Invariant, $"<polyline fill=\"none\" stroke=\"#333\" stroke-width=\"2\"{dash} points=\"{string.Join(' ', points.Select(p => string.Create(Invariant, $"{p.X:F1},{Y(p.V):F1}")))}\"/>");
            foreach (var p in points)
            {
                svg.AppendLine(Invariant, $"<circle cx=\"{p.X:F1}\" cy=\"{Y(p.V):F1}\" r=\"3\" fill=\"#333\"/>");
            }

            if (points.Count > 0)
            {
                svg.AppendLine(Invariant, $"<text x=\"{points[^1].X + 6:F1}\" y=\"{Y(points[^1].V) + 4:F1}\">{name}</text>");
            }
        }

        var legendTop = top + panelHeight + 62;
        for (var i = 0; i < runs.Count; i++)
        {
            var lx = left + (i * 150);
            svg.AppendLine(Invariant, $"<line x1=\"{lx}\" y1=\"{legendTop}\" x2=\"{lx + 28}\" y2=\"{legendTop}\" stroke=\"{Colors[i % Colors.Length]}\" stroke-width=\"2\"/>");
            svg.AppendLine(Invariant, $"<text x=\"{lx + 34}\" y=\"{legendTop + 4}\">{runs[i].Rate} writes/s{(runs[i].Failing is null ? "" : " failing")}</text>");
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    /// <summary>A panel's frame, grid, title and labels; an x range of NaN draws no x ticks (the caller labels categories).</summary>
    private static void Axes(StringBuilder svg, double x0, double top, double w, double h, double xMax, double yMax, string title, string xLabel, string yLabel)
    {
        svg.AppendLine(Invariant, $"<text x=\"{x0 + (w / 2):F1}\" y=\"{top - 16:F1}\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{title}</text>");
        for (var t = 0; t <= 5; t++)
        {
            var y = top + h - (h * t / 5);
            svg.AppendLine(Invariant, $"<line x1=\"{x0:F1}\" y1=\"{y:F1}\" x2=\"{x0 + w:F1}\" y2=\"{y:F1}\" stroke=\"#e5e5e5\"/>");
            svg.AppendLine(Invariant, $"<text x=\"{x0 - 6:F1}\" y=\"{y + 4:F1}\" text-anchor=\"end\">{yMax * t / 5:0.##}</text>");
            if (!double.IsNaN(xMax))
            {
                var x = x0 + (w * t / 5);
                svg.AppendLine(Invariant, $"<text x=\"{x:F1}\" y=\"{top + h + 18:F1}\" text-anchor=\"middle\">{xMax * t / 5:0.#}</text>");
            }
        }

        svg.AppendLine(Invariant, $"<rect x=\"{x0:F1}\" y=\"{top:F1}\" width=\"{w:F1}\" height=\"{h:F1}\" fill=\"none\" stroke=\"#444\"/>");
        svg.AppendLine(Invariant, $"<text x=\"{x0 + (w / 2):F1}\" y=\"{top + h + 38:F1}\" text-anchor=\"middle\">{xLabel}</text>");
        svg.AppendLine(Invariant, $"<text x=\"{x0 - 50:F1}\" y=\"{top + (h / 2):F1}\" text-anchor=\"middle\" transform=\"rotate(-90 {x0 - 50:F1} {top + (h / 2):F1})\">{yLabel}</text>");
    }
}
