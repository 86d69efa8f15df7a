package io.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
import software.amazon.awssdk.services.eventbridge.model.EventBridgeException;
import software.amazon.awssdk.services.eventbridge.model.PutEventsRequestEntry;
import software.amazon.awssdk.services.eventbridge.model.PutEventsResponse;

/**
 * EventBridge PutEvents on AWS JSON 1.1, driven by the real AWS SDK for Java v2 and by raw HTTP.
 */
class PutEventsTest {

  @TempDir static Path dir;
  static ServerFixture s;
  static EventBridgeClient aws;

  @BeforeAll
  static void start() {
    s =
        ServerFixture.start(
            dir, "buses: [{name: default}, {name: orders}]\nserver: {limits: {maxDepth: 6}}");
    aws =
        EventBridgeClient.builder()
            .endpointOverride(URI.create(s.server.url().toString()))
            .region(Region.EU_WEST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("AKIDEXAMPLE", "secret")))
            .httpClient(UrlConnectionHttpClient.create())
            .build();
  }

  @AfterAll
  static void stop() {
    aws.close();
    s.close();
  }

  @Test
  void awsSdkPutEventsStoresEventsAndReturnsTheirIds() {
    Instant t = Instant.parse("2026-11-23T10:00:00Z");
    PutEventsResponse r =
        aws.putEvents(
            b ->
                b.entries(
                    PutEventsRequestEntry.builder()
                        .source("shop.orders")
                        .detailType("OrderPlaced")
                        .detail("{\"amount\":12}")
                        .resources("arn:aws:x")
                        .time(t)
                        .build(),
                    PutEventsRequestEntry.builder()
                        .eventBusName("arn:aws:events:eu-west-1:123456789012:event-bus/orders")
                        .source("shop")
                        .detailType("T")
                        .detail("{}")
                        .build()));

    assertThat(r.failedEntryCount()).isZero();
    assertThat(r.entries()).hasSize(2).allSatisfy(e -> assertThat(e.eventId()).isNotBlank());
    JsonNode stored = storedEvent("default", r.entries().get(0).eventId());
    assertThat(stored.get("id").asText()).isEqualTo(r.entries().get(0).eventId());
    assertThat(stored.get("source").asText()).isEqualTo("shop.orders");
    assertThat(stored.get("detail-type").asText()).isEqualTo("OrderPlaced");
    assertThat(stored.get("time").asText()).isEqualTo("2026-11-23T10:00:00Z");
    assertThat(stored.get("resources").get(0).asText()).isEqualTo("arn:aws:x");
    assertThat(stored.get("detail").get("amount").asInt()).isEqualTo(12);
    assertThat(
            s.get("/buses/orders/events")
                .json()
                .get("events")
                .get(0)
                .get("event")
                .get("id")
                .asText())
        .isEqualTo(r.entries().get(1).eventId());
  }

  static JsonNode storedEvent(String bus, String id) {
    for (JsonNode e : s.get("/buses/" + bus + "/events?limit=1000").json().get("events")) {
      if (e.get("event").get("id").asText().equals(id)) {
        return e.get("event");
      }
    }
    return null;
  }

  @Test
  void awsSdkSeesPerEntryFailuresInOrder() {
    PutEventsResponse r =
        aws.putEvents(
            b ->
                b.entries(
                    PutEventsRequestEntry.builder()
                        .source("s")
                        .detailType("T")
                        .detail("{}")
                        .build(),
                    PutEventsRequestEntry.builder()
                        .source("s")
                        .detailType("T")
                        .detail("{not json")
                        .build(),
                    PutEventsRequestEntry.builder()
                        .eventBusName("nosuch")
                        .source("s")
                        .detailType("T")
                        .detail("{}")
                        .build(),
                    PutEventsRequestEntry.builder().detailType("T").detail("{}").build()));

    assertThat(r.failedEntryCount()).isEqualTo(3);
    assertThat(r.entries().get(0).eventId()).isNotBlank();
    assertThat(r.entries().get(1).errorCode()).isEqualTo("MalformedDetail");
    assertThat(r.entries().get(1).errorMessage())
        .isEqualTo(
            "Detail is malformed: /detail: malformed JSON at line 1, column 2: Unexpected character ('n' (code 110)): was expecting double-quote to start field name");
    assertThat(r.entries().get(2).errorCode()).isEqualTo("ResourceNotFoundException");
    assertThat(r.entries().get(2).errorMessage()).isEqualTo("Event bus nosuch does not exist.");
    assertThat(r.entries().get(3).errorCode()).isEqualTo("InvalidArgument");
    assertThat(r.entries().get(3).errorMessage())
        .isEqualTo("Parameter Source is not valid. Reason: Source is a required argument.");
  }

  @Test
  void awsSdkGetsAValidationExceptionForElevenEntries() {
    List<PutEventsRequestEntry> eleven = new ArrayList<>();
    for (int i = 0; i < 11; i++) {
      eleven.add(PutEventsRequestEntry.builder().source("s").detailType("T").detail("{}").build());
    }

    assertThatThrownBy(() -> aws.putEvents(b -> b.entries(eleven)))
        .isInstanceOfSatisfying(
            EventBridgeException.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ValidationException");
              assertThat(e.awsErrorDetails().errorMessage())
                  .isEqualTo(
                      "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10, got 11 entries");
            });
  }

  static Stream<Arguments> rawCases() {
    String big = "x".repeat(131_100);
    return Stream.of(
        Arguments.of(
            "no target",
            null,
            "{}",
            400,
            "UnknownOperationException",
            "POST / needs an X-Amz-Target header such as AWSEvents.PutEvents"),
        Arguments.of(
            "unknown target",
            "AWSEvents.ListRules",
            "{}",
            400,
            "UnknownOperationException",
            "operation AWSEvents.ListRules is not supported; supported: AWSEvents.PutEvents, AWSEvents.TestEventPattern"),
        Arguments.of(
            "empty body",
            "AWSEvents.PutEvents",
            "",
            400,
            "SerializationException",
            "the request body is empty; expected {\"Entries\":[…]}"),
        Arguments.of(
            "not json",
            "AWSEvents.PutEvents",
            "{Entries",
            400,
            "SerializationException",
            "the request body is not valid JSON: Unexpected character ('E' (code 69)): was expecting double-quote to start field name"),
        Arguments.of(
            "number with an exponent too large (found by the fuzzer)",
            "AWSEvents.PutEvents",
            "{\"Entries\":[],\"x\":9e999999999999999999999}",
            400,
            "SerializationException",
            "the request body is not valid JSON: Value \"9e999999999999999999999\" can not be deserialized as `java.math.BigDecimal`, reason:  Too many nonzero exponent digits."),
        Arguments.of(
            "no entries",
            "AWSEvents.PutEvents",
            "{}",
            400,
            "ValidationException",
            "Entries: expected an array of 1 to 10 entries, got nothing"),
        Arguments.of(
            "entries object",
            "AWSEvents.PutEvents",
            "{\"Entries\":{}}",
            400,
            "ValidationException",
            "Entries: expected an array of 1 to 10 entries, got object {}"),
        Arguments.of(
            "zero entries",
            "AWSEvents.PutEvents",
            "{\"Entries\":[]}",
            400,
            "ValidationException",
            "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and 10, got 0 entries"),
        Arguments.of(
            "total too large",
            "AWSEvents.PutEvents",
            "{\"Entries\":[{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{\\\"a\\\":\\\""
                + big
                + "\\\"}\"},{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{\\\"a\\\":\\\""
                + big
                + "\\\"}\"}]}",
            400,
            "ValidationException",
            "Total size of the entries in the request is 262220 bytes, over the limit of 262144 bytes"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawCases")
  void requestLevelErrorsUseTheAwsShape(
      String name, String target, String body, int status, String type, String message) {
    ServerFixture.Response r =
        target == null
            ? s.post("/", PutEventsApi.AWS_JSON, body)
            : s.post("/", PutEventsApi.AWS_JSON, body, "X-Amz-Target", target);

    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.header("x-amzn-ErrorType")).isEqualTo(type);
    assertThat(r.json().get("__type").asText()).isEqualTo(type);
    assertThat(r.json().get("message").asText()).isEqualTo(message);
  }

  static Stream<Arguments> entryCases() {
    return Stream.of(
        Arguments.of(
            "{\"DetailType\":\"T\",\"Detail\":\"{}\"}",
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument."),
        Arguments.of(
            "{\"Source\":\"\",\"DetailType\":\"T\",\"Detail\":\"{}\"}",
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument."),
        Arguments.of(
            "{\"Source\":\"s\",\"Detail\":\"{}\"}",
            "InvalidArgument",
            "Parameter DetailType is not valid. Reason: DetailType is a required argument."),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\"}",
            "InvalidArgument",
            "Parameter Detail is not valid. Reason: Detail is a required argument."),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"[1]\"}",
            "MalformedDetail",
            "Detail is malformed: expected a JSON object, got array [1]"),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"\"}",
            "MalformedDetail",
            "Detail is malformed: /detail: expected a JSON object, got an empty string"),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{\\\"a\\\":{\\\"a\\\":{\\\"a\\\":{\\\"a\\\":{\\\"a\\\":{\\\"a\\\":1}}}}}}\"}",
            "InvalidArgument",
            "Detail is malformed: /detail/a/a/a/a/a: nesting depth 7 is over the limit of 6 (the event object counts as 1)"),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"Time\":\"noon\"}",
            "InvalidArgument",
            "Parameter Time is not valid. Reason: expected epoch seconds or an ISO-8601 timestamp, got string \"noon\"."),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"Resources\":\"arn\"}",
            "InvalidArgument",
            "Parameter Resources is not valid. Reason: expected an array of strings."),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"EventBusName\":\"missing\"}",
            "ResourceNotFoundException",
            "Event bus missing does not exist."),
        Arguments.of(
            "{\"Source\":\"s\",\"DetailType\":\"T\",\"Detail\":\"{}\",\"EventBusName\":\"arn:aws:events:x\"}",
            "InvalidArgument",
            "Parameter EventBusName is not valid. Reason: expected a bus name or event-bus ARN."),
        Arguments.of(
            "{\"Source\":5,\"DetailType\":\"T\",\"Detail\":\"{}\"}",
            "InvalidArgument",
            "Parameter Source is not valid. Reason: Source is a required argument."));
  }

  @ParameterizedTest
  @MethodSource("entryCases")
  void badEntriesFailAloneWithAwsErrorCodes(String entry, String code, String message) {
    ServerFixture.Response r =
        s.post(
            "/",
            PutEventsApi.AWS_JSON,
            "{\"Entries\":["
                + entry
                + ",{\"Source\":\"ok\",\"DetailType\":\"T\",\"Detail\":\"{}\"}]}",
            "X-Amz-Target",
            "AWSEvents.PutEvents");

    assertThat(r.status()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.get("FailedEntryCount").asInt()).isEqualTo(1);
    assertThat(body.get("Entries").get(0).get("ErrorCode").asText()).isEqualTo(code);
    assertThat(body.get("Entries").get(0).get("ErrorMessage").asText()).isEqualTo(message);
    assertThat(body.get("Entries").get(1).get("EventId").asText()).isNotBlank();
  }
}
