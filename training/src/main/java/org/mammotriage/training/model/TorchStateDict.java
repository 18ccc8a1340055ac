package org.mammotriage.training.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Reads a PyTorch {@code state_dict} saved with {@code torch.save} (the zip format, PyTorch ≥ 1.6):
 * a zip holding {@code <name>/data.pkl}, a pickle of a dict of tensors whose storages are
 * persistent ids, and {@code <name>/data/<key>}, each storage's raw little-endian bytes.
 *
 * <p>Only what a state dict needs is unpickled (dicts, tuples, lists, strings, numbers, {@code
 * collections.OrderedDict}, {@code torch._utils._rebuild_tensor_v2}); any other callable is
 * refused, so a file cannot run code here. Float32 tensors are read; other types are listed but
 * their values refused.
 */
public final class TorchStateDict {
  /** One tensor: its storage (dtype, key) and view (offset, shape, strides), in elements. */
  public record Tensor(String dtype, String storageKey, long offset, long[] shape, long[] stride) {
    public long numel() {
      long n = 1;
      for (long s : shape) {
        n *= s;
      }
      return n;
    }
  }

  private final Map<String, Tensor> tensors;
  private final Map<String, byte[]> storages;

  private TorchStateDict(Map<String, Tensor> tensors, Map<String, byte[]> storages) {
    this.tensors = tensors;
    this.storages = storages;
  }

  /** The tensors in file order, by state-dict key. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** The values of float32 tensor {@code key} in row-major order. */
  public float[] floats(String key) {
    Tensor t = tensors.get(key);
    if (t == null) {
      throw new IllegalArgumentException("the state dict has no tensor '" + key + "'");
    }
    if (!t.dtype().equals("FloatStorage")) {
      throw new IllegalArgumentException(
          "tensor '" + key + "' is " + t.dtype() + "; only float32 (FloatStorage) is read");
    }
    ByteBuffer b = ByteBuffer.wrap(storages.get(t.storageKey())).order(ByteOrder.LITTLE_ENDIAN);
    int n = Math.toIntExact(t.numel());
    float[] out = new float[n];
    long[] idx = new long[t.shape().length];
    for (int i = 0; i < n; i++) {
      long at = t.offset();
      for (int d = 0; d < idx.length; d++) {
        at += idx[d] * t.stride()[d];
      }
      out[i] = b.getFloat(Math.toIntExact(at * 4));
      for (int d = idx.length - 1; d >= 0; d--) {
        if (++idx[d] < t.shape()[d]) {
          break;
        }
        idx[d] = 0;
      }
    }
    return out;
  }

  /** Reads {@code file}; a legacy (non-zip) torch.save file is refused with what to do. */
  public static TorchStateDict read(Path file) throws IOException {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      ZipEntry pkl =
          zip.stream()
              .filter(e -> e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl"))
              .findFirst()
              .orElseThrow(
                  () -> new IOException(file + " has no data.pkl: not a torch.save zip file"));
      String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
      Object root;
      try (InputStream in = zip.getInputStream(pkl)) {
        root = new Unpickler(in.readAllBytes()).load();
      }
      if (!(root instanceof Map<?, ?> m)) {
        throw new IOException(file + " does not hold a dict of tensors (a state_dict)");
      }
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      Map<String, byte[]> storages = new HashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() instanceof Tensor t) {
          tensors.put(String.valueOf(e.getKey()), t);
          if (!storages.containsKey(t.storageKey())) {
            ZipEntry data = zip.getEntry(prefix + "data/" + t.storageKey());
            if (data == null) {
              throw new IOException(file + " lacks the storage of '" + e.getKey() + "'");
            }
            try (InputStream in = zip.getInputStream(data)) {
              storages.put(t.storageKey(), in.readAllBytes());
            }
          }
        }
      }
      return new TorchStateDict(tensors, storages);
    } catch (java.util.zip.ZipException e) {
      throw new IOException(
          file
              + " is not a zip: save it with torch.save(model.state_dict(), path) from PyTorch"
              + " >= 1.6 (or _use_new_zipfile_serialization=True)",
          e);
    }
  }

  private record Global(String module, String name) {}

  private record StorageRef(String dtype, String key) {}

  private static final Object MARK = new Object();

  /** The subset of the pickle machine (protocols 2–4) that state dicts use. */
  private static final class Unpickler {
    private final ByteBuffer in;
    private final Deque<Object> stack = new ArrayDeque<>();
    private final Map<Integer, Object> memo = new HashMap<>();

    Unpickler(byte[] bytes) {
      in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    Object load() throws IOException {
      while (in.hasRemaining()) {
        int op = in.get() & 0xFF;
        switch (op) {
          case 0x80 -> in.get(); // PROTO
          case 0x95 -> in.getLong(); // FRAME
          case '.' -> {
            return stack.pop();
          }
          case '}' -> stack.push(new LinkedHashMap<Object, Object>());
          case ']' -> stack.push(new ArrayList<>());
          case ')' -> stack.push(List.of());
          case '(' -> stack.push(MARK);
          case 'N' -> stack.push(NONE);
          case 0x88 -> stack.push(Boolean.TRUE);
          case 0x89 -> stack.push(Boolean.FALSE);
          case 'K' -> stack.push((long) (in.get() & 0xFF));
          case 'M' -> stack.push((long) (in.getShort() & 0xFFFF));
          case 'J' -> stack.push((long) in.getInt());
          case 0x8a -> stack.push(long1(in.get() & 0xFF));
          case 'G' -> stack.push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
          case 'X' -> stack.push(string(in.getInt()));
          case 0x8c -> stack.push(string(in.get() & 0xFF));
          case 'C' -> stack.push(bytes(in.get() & 0xFF));
          case 'B' -> stack.push(bytes(in.getInt()));
          case 'q' -> memo.put(in.get() & 0xFF, stack.peek());
          case 'r' -> memo.put(in.getInt(), stack.peek());
          case 0x94 -> memo.put(memo.size(), stack.peek());
          case 'h' -> stack.push(memo.get(in.get() & 0xFF));
          case 'j' -> stack.push(memo.get(in.getInt()));
          case '0' -> stack.pop();
          case '2' -> stack.push(stack.peek());
          case '1' -> popMark();
          case 't' -> stack.push(popMark());
          case 0x85 -> stack.push(tuple(1));
          case 0x86 -> stack.push(tuple(2));
          case 0x87 -> stack.push(tuple(3));
          case 'l' -> stack.push(new ArrayList<>(popMark()));
          case 'd' -> {
            List<Object> items = popMark();
            Map<Object, Object> d = new LinkedHashMap<>();
            for (int i = 0; i + 1 < items.size(); i += 2) {
              d.put(items.get(i), items.get(i + 1));
            }
            stack.push(d);
          }
          case 'a' -> {
            Object v = stack.pop();
            list(stack.peek()).add(v);
          }
          case 'e' -> {
            List<Object> items = popMark();
            list(stack.peek()).addAll(items);
          }
          case 's' -> {
            Object v = stack.pop();
            Object k = stack.pop();
            dict(stack.peek()).put(k, v);
          }
          case 'u' -> {
            List<Object> items = popMark();
            Map<Object, Object> d = dict(stack.peek());
            for (int i = 0; i + 1 < items.size(); i += 2) {
              d.put(items.get(i), items.get(i + 1));
            }
          }
          case 'c' -> stack.push(new Global(line(), line()));
          case 0x93 -> {
            Object name = stack.pop();
            Object module = stack.pop();
            stack.push(new Global((String) module, (String) name));
          }
          case 'Q' -> stack.push(persistent(stack.pop()));
          case 'R' -> {
            Object args = stack.pop();
            Object fn = stack.pop();
            stack.push(reduce(fn, args));
          }
          case 0x81 -> {
            Object args = stack.pop();
            Object cls = stack.pop();
            stack.push(reduce(cls, args));
          }
          case 'b' -> stack.pop(); // BUILD: state of an OrderedDict (its _metadata), not needed
          default ->
              throw new IOException(
                  String.format(
                      "unsupported pickle opcode 0x%02x at byte %d: not a plain state_dict",
                      op, in.position() - 1));
        }
      }
      throw new IOException("the pickle ends without STOP");
    }

    private static final Object NONE = new Object();

    private List<Object> tuple(int n) {
      Object[] items = new Object[n];
      for (int i = n - 1; i >= 0; i--) {
        items[i] = stack.pop();
      }
      return Arrays.asList(items);
    }

    private List<Object> popMark() {
      ArrayDeque<Object> items = new ArrayDeque<>();
      while (stack.peek() != MARK) {
        items.push(stack.pop());
      }
      stack.pop();
      return new ArrayList<>(items);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) throws IOException {
      if (o instanceof List<?> l) {
        return (List<Object>) l;
      }
      throw new IOException("pickle APPEND on a " + o);
    }

    @SuppressWarnings("unchecked")
    private static Map<Object, Object> dict(Object o) throws IOException {
      if (o instanceof Map<?, ?> m) {
        return (Map<Object, Object>) m;
      }
      throw new IOException("pickle SETITEM on a " + o);
    }

    private Object persistent(Object pid) throws IOException {
      // ('storage', torch.FloatStorage, key, location, numel)
      if (pid instanceof List<?> t && t.size() >= 3 && "storage".equals(t.get(0))) {
        String dtype = t.get(1) instanceof Global g ? g.name() : String.valueOf(t.get(1));
        return new StorageRef(dtype, String.valueOf(t.get(2)));
      }
      throw new IOException("unsupported persistent id " + pid);
    }

    private Object reduce(Object fn, Object args) throws IOException {
      if (!(fn instanceof Global g)) {
        throw new IOException("pickle REDUCE of a non-global " + fn);
      }
      List<?> a = args instanceof List<?> l ? l : List.of();
      String q = g.module() + "." + g.name();
      switch (q) {
        case "collections.OrderedDict" -> {
          return new LinkedHashMap<Object, Object>();
        }
        case "torch._utils._rebuild_tensor_v2" -> {
          StorageRef s = (StorageRef) a.get(0);
          return new Tensor(s.dtype(), s.key(), (Long) a.get(1), longs(a.get(2)), longs(a.get(3)));
        }
        default ->
            throw new IOException(
                "refusing to call "
                    + q
                    + " from a pickle: only plain state_dicts of tensors are read"
                    + " (save model.state_dict(), not the model)");
      }
    }

    private static long[] longs(Object o) {
      List<?> l = (List<?>) o;
      long[] out = new long[l.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = (Long) l.get(i);
      }
      return out;
    }

    private long long1(int n) {
      long v = 0;
      for (int i = 0; i < n; i++) {
        v |= (long) (in.get() & 0xFF) << (8 * i);
      }
      if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
        v -= 1L << (8 * n);
      }
      return v;
    }

    private String string(int n) {
      byte[] b = new byte[n];
      in.get(b);
      return new String(b, StandardCharsets.UTF_8);
    }

    private byte[] bytes(int n) {
      byte[] b = new byte[n];
      in.get(b);
      return b;
    }

    private String line() {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      byte c;
      while ((c = in.get()) != '\n') {
        b.write(c);
      }
      return b.toString(StandardCharsets.UTF_8);
    }
  }
}
