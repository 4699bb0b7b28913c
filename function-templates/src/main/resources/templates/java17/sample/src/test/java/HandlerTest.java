import static org.junit.jupiter.api.Assertions.assertEquals;

import com.openfaas.function.Handler;
import com.openfaas.model.IResponse;
import com.openfaas.model.Request;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HandlerTest {

    @Test
    void greetsTheNameInTheBody() {
        IResponse res = new Handler().Handle(new Request("Driftless", Map.of()));
        assertEquals(200, res.getStatusCode());
        assertEquals("Hello, Driftless! (from Java)", res.getBody());
    }

    @Test
    void greetsTheWorldWithoutABody() {
        assertEquals("Hello, world! (from Java)", new Handler().Handle(new Request("", Map.of())).getBody());
    }
}
