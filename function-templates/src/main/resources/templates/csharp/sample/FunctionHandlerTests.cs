using System;

namespace Function
{
    public class FunctionHandlerTests
    {
        public void TestGreetsTheNameInTheBody()
        {
            Environment.SetEnvironmentVariable("Http_Method", "POST");
            Expect("Hello, Driftless! (from C#, POST)", new FunctionHandler().Handle("Driftless"));
        }

        public void TestGreetsTheWorldWithoutABody()
        {
            Environment.SetEnvironmentVariable("Http_Method", "GET");
            Expect("Hello, world! (from C#, GET)", new FunctionHandler().Handle(""));
        }

        static void Expect(string expected, string actual)
        {
            if (expected != actual) throw new Exception("expected '" + expected + "' but was '" + actual + "'");
        }
    }
}
