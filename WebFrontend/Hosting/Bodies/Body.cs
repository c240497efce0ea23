using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Metadata;

namespace OrbitGrains.WebFrontend.Hosting.Bodies;

/// <summary>
/// A request record read from a JSON body. Each record says how its family reads it: its source-generated type
/// information, the family's error shape, its size limit, and what an empty body means.
/// </summary>
public interface IRequestBody<TSelf> where TSelf : class, IRequestBody<TSelf>
{
    /// <summary>From the family's source-generated <see cref="System.Text.Json.Serialization.JsonSerializerContext"/>.</summary>
    static abstract JsonTypeInfo<TSelf> JsonTypeInfo { get; }

    /// <summary>How refusals of this body are worded.</summary>
    static virtual ErrorShape Shape => ErrorShape.Detail;

    /// <summary>Bytes read at most; one more is a 413.</summary>
    static virtual int MaxBytes => RequestBodies.DefaultMaxBytes;

    /// <summary>Null: an empty body reads as <c>{}</c> (every member absent). Otherwise the message of the 400 it gets.</summary>
    static virtual string? EmptyBody => null;

    /// <summary>The status of a member of the wrong type.</summary>
    static virtual int FieldStatus => StatusCodes.Status400BadRequest;

    /// <summary>True for the Orbit contract's reading (<see cref="BodyRules.MalformedAsEmpty"/>).</summary>
    static virtual bool MalformedAsEmpty => false;
}

/// <summary>Implemented by <see cref="Body{T}"/>, so the endpoint filter can find a refused body among the arguments.</summary>
public interface IBodyOutcome
{
    IResult? Refusal { get; }
}

/// <summary>
/// An endpoint parameter holding the request record <typeparamref name="T"/>, read by <see cref="RequestBodies"/>.
/// A refused body never reaches the handler: a filter answers it in the family's shape. OpenAPI describes the body
/// as <typeparamref name="T"/>.
/// </summary>
public sealed class Body<T> : IBindableFromHttpContext<Body<T>>, IEndpointParameterMetadataProvider, IBodyOutcome
    where T : class, IRequestBody<T>
{
    private readonly T? _value;

    private Body(T? value, IResult? refusal)
    {
        _value = value;
        Refusal = refusal;
    }

    /// <summary>The record; the handler runs only when there is one.</summary>
    public T Value => _value ?? throw new InvalidOperationException("A refused body reached its handler.");

    public IResult? Refusal { get; }

    public static async ValueTask<Body<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var rules = new BodyRules(T.MaxBytes, T.EmptyBody, T.FieldStatus, T.MalformedAsEmpty);
        var (value, refusal) = await RequestBodies.ReadJsonAsync(context, T.JsonTypeInfo, rules);
        return refusal is null
            ? new Body<T>(value, null)
            : new Body<T>(null, Errors.Of(T.Shape, refusal.Status, refusal.Message));
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T), isOptional: T.EmptyBody is null));
        builder.FilterFactories.Add(RefusedBodies.Filter);
    }
}

/// <summary>Answers a refused body before the handler runs.</summary>
public static class RefusedBodies
{
    public static EndpointFilterDelegate Filter(EndpointFilterFactoryContext factory, EndpointFilterDelegate next) => async context =>
    {
        foreach (var argument in context.Arguments)
        {
            if (argument is IBodyOutcome { Refusal: { } refusal })
            {
                return refusal;
            }
        }

        return await next(context);
    };
}
