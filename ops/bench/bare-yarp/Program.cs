// A bare YARP reverse proxy: routes and cluster from appsettings.json (the same names as the gateway's, so
// ReverseProxy__Clusters__openai__Destinations__primary__Address repoints both), nothing else on the path.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));

var app = builder.Build();
app.MapReverseProxy();
app.Run();
