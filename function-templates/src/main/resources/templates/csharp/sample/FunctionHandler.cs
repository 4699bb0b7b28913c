using System;

namespace Function
{
    // OpenFaaS classic csharp template: Handle gets the request body and returns the response body.
    public class FunctionHandler
    {
        public string Handle(string input)
        {
            string name = input.Trim();
            if (name.Length == 0) name = "world";
            return "Hello, " + name + "! (from C#, " + (Environment.GetEnvironmentVariable("Http_Method") ?? "no method") + ")";
        }
    }
}
