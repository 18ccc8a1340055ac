package org.mammotriage.training.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Word-level tokenizer with a vocabulary built from the report corpus: lower-cased words, numbers
 * and punctuation marks are tokens. Ids 0–3 are {@code [PAD] [UNK] [CLS] [SEP]}; the rest are
 * sorted by frequency, then alphabetically, so the same corpus always gives the same ids. Saved as
 * {@code vocab.txt} (one token per line, line number = id) next to the model.
 */
public final class Tokenizer {
  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String CLS = "[CLS]";
  public static final String SEP = "[SEP]";
  public static final int PAD_ID = 0;
  public static final int UNK_ID = 1;
  public static final int CLS_ID = 2;
  public static final int SEP_ID = 3;
  public static final String FILE_NAME = "vocab.txt";

  private static final Pattern WORD = Pattern.compile("[a-z]+|[0-9]+|[^\\sa-z0-9]");

  private final List<String> tokens;
  private final Map<String, Integer> ids;

  private Tokenizer(List<String> tokens) {
    if (tokens.size() < 4
        || !tokens.get(0).equals(PAD)
        || !tokens.get(1).equals(UNK)
        || !tokens.get(2).equals(CLS)
        || !tokens.get(3).equals(SEP)) {
      throw new IllegalArgumentException("a vocabulary must start with [PAD] [UNK] [CLS] [SEP]");
    }
    this.tokens = List.copyOf(tokens);
    this.ids = new HashMap<>();
    for (int i = 0; i < tokens.size(); i++) {
      if (ids.put(tokens.get(i), i) != null) {
        throw new IllegalArgumentException(
            "duplicate token in vocabulary: '" + tokens.get(i) + "'");
      }
    }
  }

  /** Splits text into word tokens (lower-cased). */
  public static List<String> words(String text) {
    List<String> out = new ArrayList<>();
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  /** Builds a vocabulary from a corpus, keeping words seen at least {@code minCount} times. */
  public static Tokenizer build(Iterable<String> corpus, int minCount) {
    Map<String, Integer> counts = new HashMap<>();
    for (String doc : corpus) {
      for (String w : words(doc)) {
        counts.merge(w, 1, Integer::sum);
      }
    }
    List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
    entries.removeIf(e -> e.getValue() < minCount);
    entries.sort(
        Map.Entry.<String, Integer>comparingByValue()
            .reversed()
            .thenComparing(Map.Entry.comparingByKey()));
    List<String> vocab = new ArrayList<>(List.of(PAD, UNK, CLS, SEP));
    entries.forEach(e -> vocab.add(e.getKey()));
    return new Tokenizer(vocab);
  }

  /** Loads {@code vocab.txt} from a model folder. */
  public static Tokenizer load(Path dir) {
    Path f = dir.resolve(FILE_NAME);
    try {
      return new Tokenizer(Files.readAllLines(f, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the vocabulary " + f + " (is this a pretrained model folder?)", e);
    }
  }

  /** Writes {@code vocab.txt} into a model folder. */
  public void save(Path dir) {
    try {
      Files.createDirectories(dir);
      Files.write(dir.resolve(FILE_NAME), tokens, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the vocabulary to " + dir, e);
    }
  }

  public int size() {
    return tokens.size();
  }

  public String token(int id) {
    return tokens.get(id);
  }

  /** Id of a word, or {@link #UNK_ID}. */
  public int id(String word) {
    return ids.getOrDefault(word, UNK_ID);
  }

  /**
   * Encodes text as {@code [CLS] w1 w2 ... [SEP]}, truncated to {@code maxLength} (the last slot
   * stays [SEP]) and padded with [PAD].
   */
  public int[] encode(String text, int maxLength) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
    }
    int[] out = new int[maxLength];
    out[0] = CLS_ID;
    int i = 1;
    for (String w : words(text)) {
      if (i >= maxLength - 1) {
        break;
      }
      out[i++] = id(w);
    }
    out[i] = SEP_ID;
    return out;
  }

  /** The number of real tokens a text needs (with [CLS] and [SEP]). */
  public int length(String text) {
    return words(text).size() + 2;
  }
}
