package io.sluice.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/** Where the object store and file validation put their events (a bus); set by the server. */
@FunctionalInterface
public interface ObjectEvents {

  /** Stores an event with this detail-type and detail durably, or throws. */
  void emit(String detailType, ObjectNode detail) throws IOException;

  /** For a store without a configured bus. */
  ObjectEvents NONE = (type, detail) -> {};
}
