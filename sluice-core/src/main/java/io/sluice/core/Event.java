package io.sluice.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One event in the EventBridge envelope, the form in which Sluice stores and matches events:
 *
 * <pre>{@code
 * {"version":"0","id":"…","detail-type":"OrderPlaced","source":"shop.orders","account":"…",
 *  "time":"2026-11-23T10:00:00Z","region":"…","resources":[],"detail":{…}}
 * }</pre>
 *
 * <p>Top-level fields outside the envelope (CloudEvents {@code subject}, extensions, the group key
 * {@code partitionkey}) are kept in {@link #extras()} in their original order and written back as
 * top-level fields, so patterns can match them.
 *
 * <p>Immutable: the lists and maps are unmodifiable copies. {@code detail} and extra values are
 * Jackson trees shared for speed; nothing in Sluice mutates them and callers must not either.
 * {@code id} and {@code time} are {@code null} only before {@link #withDefaults} has run.
 */
public record Event(
    String version,
    String id,
    String detailType,
    String source,
    String account,
    Instant time,
    String region,
    List<String> resources,
    JsonNode detail,
    Map<String, JsonNode> extras) {

  /** Top-level field that carries the group key (partitioning, ordered delivery). */
  public static final String GROUP_KEY_FIELD = "partitionkey";

  public Event {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(detailType, "detailType");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(detail, "detail");
    resources = List.copyOf(resources);
    extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
  }

  /** Returns this event with {@code id} and {@code time} filled in where they are missing. */
  public Event withDefaults(String newId, Instant now) {
    if (id != null && time != null) {
      return this;
    }
    return new Event(
        version,
        id != null ? id : newId,
        detailType,
        source,
        account,
        time != null ? time : now,
        region,
        resources,
        detail,
        extras);
  }

  /** The group key ({@value #GROUP_KEY_FIELD}) when the event carries one as a string. */
  public Optional<String> groupKey() {
    JsonNode k = extras.get(GROUP_KEY_FIELD);
    return k != null && k.isTextual() && !k.asText().isEmpty()
        ? Optional.of(k.asText())
        : Optional.empty();
  }
}
