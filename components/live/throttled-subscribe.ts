/**
 * A store subscription that tells its listener at most once per `everyMs`: the live graph changes ten
 * times a second, and a page that shows it only in summary (the map's toolbar, its side panel: the
 * canvas follows the graph change by change on its own) re-rendered its whole tree for each change.
 * A change `urgent` says matters at once (the first graph, say) is told straight away.
 */

type Listener = () => void;
type Subscribe = (listener: Listener) => () => void;

export function throttledSubscribe(subscribe: Subscribe, everyMs: number, urgent: () => boolean = () => false): Subscribe {
  return (listener) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let told = -Infinity;
    const tell = () => {
      clearTimeout(timer);
      timer = undefined;
      told = Date.now();
      listener();
    };
    const unsubscribe = subscribe(() => {
      if (urgent()) return tell();
      if (timer !== undefined) return;
      timer = setTimeout(tell, Math.max(0, told + everyMs - Date.now()));
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  };
}
