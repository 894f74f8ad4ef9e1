/** timeRatio for calls that finish asynchronously (a gRPC call, a CLI run): best of `rounds` each. */
export async function timeRatioAsync(candidate: () => Promise<unknown>, baseline: () => Promise<unknown>, rounds = 3): Promise<number> {
  const best = async (fn: () => Promise<unknown>) => {
    let min = Infinity;
    for (let r = 0; r < rounds; r++) {
      const t = performance.now();
      await fn();
      min = Math.min(min, performance.now() - t);
    }
    return min;
  };
  await baseline(); // warm-up: first calls pay for connections and JIT
  return (await best(candidate)) / Math.max(await best(baseline), 1);
}
