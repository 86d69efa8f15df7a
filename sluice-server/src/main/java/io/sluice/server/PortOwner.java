package io.sluice.server;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Which process listens on a TCP port, best effort, from Linux's {@code /proc}: the inodes of the
 * listening sockets on that port come from {@code /proc/net/tcp} and {@code /proc/net/tcp6} (lines
 * {@code sl local_address rem_address st … inode}, the port in hex after the colon, state {@code
 * 0A} for LISTEN), and the process is the first under {@code /proc/<pid>/fd} with a link {@code
 * socket:[<inode>]}. Empty when there is no {@code /proc}, nothing listens there, or the process's
 * file descriptors cannot be read (another user's, say).
 */
final class PortOwner {

  private static final String LISTEN = "0A";

  private PortOwner() {}

  static OptionalLong pid(int port) {
    return pid(Path.of("/proc"), port);
  }

  static OptionalLong pid(Path proc, int port) {
    Set<String> inodes = new HashSet<>();
    for (String table : List.of("net/tcp", "net/tcp6")) {
      inodes.addAll(listening(proc.resolve(table), port));
    }
    if (inodes.isEmpty()) {
      return OptionalLong.empty();
    }
    try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, "[0-9]*")) {
      for (Path p : processes) {
        if (holds(p.resolve("fd"), inodes)) {
          return OptionalLong.of(Long.parseLong(p.getFileName().toString()));
        }
      }
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
    return OptionalLong.empty();
  }

  /** The inodes of the sockets listening on {@code port} in one {@code /proc/net/tcp*} table. */
  static Set<String> listening(Path table, int port) {
    Set<String> out = new HashSet<>();
    String hexPort = String.format(Locale.ROOT, "%04X", port);
    List<String> lines;
    try {
      lines = Files.readAllLines(table);
    } catch (IOException e) {
      return out;
    }
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10 || !f[0].endsWith(":")) {
        continue; // the header, or a line of another shape
      }
      String local = f[1];
      int colon = local.lastIndexOf(':');
      if (colon > 0
          && local.substring(colon + 1).equalsIgnoreCase(hexPort)
          && f[3].equalsIgnoreCase(LISTEN)
          && !f[9].equals("0")) {
        out.add(f[9]);
      }
    }
    return out;
  }

  private static boolean holds(Path fds, Set<String> inodes) {
    try (DirectoryStream<Path> links = Files.newDirectoryStream(fds)) {
      for (Path l : links) {
        String target;
        try {
          target = Files.readSymbolicLink(l).toString();
        } catch (IOException | UnsupportedOperationException e) {
          continue; // closed meanwhile, or not a link
        }
        if (target.startsWith("socket:[")
            && target.endsWith("]")
            && inodes.contains(target.substring(8, target.length() - 1))) {
          return true;
        }
      }
    } catch (IOException | SecurityException e) {
      return false; // gone, or not ours to read
    }
    return false;
  }
}
