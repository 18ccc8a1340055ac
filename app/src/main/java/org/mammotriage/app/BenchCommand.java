package org.mammotriage.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mammotriage bench [NAME]}: benchmarks, each printing ratios against a baseline run in the same command. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmarks (ratios against a baseline measured in the same run). Names: none available yet.")
public final class BenchCommand implements Callable<Integer> {
  @Parameters(arity = "0..1", paramLabel = "NAME", description = "which benchmark; all when omitted")
  String name;

  @Override
  public Integer call() {
    System.err.println("no benchmarks are available yet" + (name == null ? "" : " (asked for '" + name + "')"));
    return 3;
  }
}
