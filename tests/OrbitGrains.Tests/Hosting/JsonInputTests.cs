using System.Text;
using OrbitGrains.WebFrontend.Hosting;

namespace OrbitGrains.Tests.Hosting;

/// <summary>The one reading rule for incoming JSON, on the inputs that matter most.</summary>
public sealed class JsonInputTests
{
    [Theory]
    [InlineData("""{"a":1}""")]
    [InlineData("""{"a":{"a":1},"b":{"a":2}}""")]
    [InlineData("""[{"a":1},{"a":1}]""")]
    [InlineData("""{"a":"\ud83d\ude00","b":"\u00e9"}""")]
    [InlineData("\uFEFF{\"bom\":true}")]
    [InlineData("""{"A":1,"a":2}""")]
    public void Readable_json_passes(string json) => Assert.Null(JsonInput.Check(Encoding.UTF8.GetBytes(json), 32));

    [Theory]
    [InlineData("""{"a":1,"a":2}""", JsonInput.ProblemKind.DuplicateMember)]
    [InlineData("""{"a":1,"\u0061":2}""", JsonInput.ProblemKind.DuplicateMember)]
    [InlineData("""{"x":{"a":1,"b":{"c":1},"a":2}}""", JsonInput.ProblemKind.DuplicateMember)]
    [InlineData("""{"a":"\ud800"}""", JsonInput.ProblemKind.Text)]
    [InlineData("""{"\udc00":1}""", JsonInput.ProblemKind.Text)]
    [InlineData("""{"a":"\ud800x"}""", JsonInput.ProblemKind.Text)]
    [InlineData("""{"a":1""", JsonInput.ProblemKind.Syntax)]
    [InlineData("not json", JsonInput.ProblemKind.Syntax)]
    [InlineData("{} {}", JsonInput.ProblemKind.Syntax)]
    public void Unreadable_json_is_named(string json, JsonInput.ProblemKind kind) =>
        Assert.Equal(kind, JsonInput.Check(Encoding.UTF8.GetBytes(json), 32)?.Kind);

    [Fact]
    public void Invalid_utf8_and_depth_are_named()
    {
        Assert.Equal(JsonInput.ProblemKind.Text, JsonInput.Check([.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8], 32)?.Kind);
        Assert.Null(JsonInput.Check(Encoding.UTF8.GetBytes(new string('[', 32) + new string(']', 32)), 32));
        Assert.Equal(JsonInput.ProblemKind.Syntax, JsonInput.Check(Encoding.UTF8.GetBytes(new string('[', 33) + new string(']', 33)), 32)?.Kind);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(5000)]
    public void A_duplicate_is_found_among_many_members_and_distinct_members_pass(int count)
    {
        var members = Enumerable.Range(0, count).Select(i => $"\"m{i}\":{i}").ToList();
        Assert.Null(JsonInput.Check(Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}"), 32));
        members.Add($"\"m{count / 2}\":0");
        Assert.Equal(JsonInput.ProblemKind.DuplicateMember, JsonInput.Check(Encoding.UTF8.GetBytes("{" + string.Join(',', members) + "}"), 32)?.Kind);
    }
}
