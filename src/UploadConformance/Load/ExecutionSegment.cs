using System.Globalization;

namespace UploadConformance.Load;

/// <summary>One generator's share of a run split across <see cref="Count"/> generators, after k6's
/// execution segments, striped: generator <see cref="Index"/> owns iterations Index, Index + Count,
/// Index + 2·Count… of the schedule every generator computes alike, and copies with those numbers.
/// The shares add up to the whole exactly (a rate of 10 over 3 is 4 + 3 + 3 in each interval,
/// rotating), and no two generators own the same iteration.</summary>
public readonly record struct ExecutionSegment(int Index, int Count)
{
    public static ExecutionSegment Whole { get; } = new(0, 1);

    public bool IsWhole => Count == 1;

    public bool Owns(long iteration) => iteration % Count == Index;

    /// <summary>The <paramref name="n"/>th iteration number this generator owns (from 0).</summary>
    public long NthOwned(long n) => Index + (long)Count * n;

    /// <summary>The copy numbers, of <paramref name="copies"/> in all, this generator runs.</summary>
    public IEnumerable<int> OwnedCopies(int copies)
    {
        var (index, count) = (Index, Count);
        return Enumerable.Range(0, copies).Where(c => c % count == index);
    }

    /// <summary>This generator's share of <paramref name="total"/> things split alike (connections, slots).</summary>
    public int ShareOf(int total) => total / Count + (Index < total % Count ? 1 : 0);

    /// <summary>"2/4": the third of four generators (indices count from 0).</summary>
    public static bool TryParse(string text, out ExecutionSegment segment)
    {
        segment = Whole;
        var slash = text.IndexOf('/');
        if (slash <= 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || index >= count) return false;
        segment = new ExecutionSegment(index, count);
        return true;
    }

    public override string ToString() => $"{Index}/{Count}";
}
