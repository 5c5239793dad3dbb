import { type JSX, render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./style.css";
import { ComparePage } from "./pages/compare.js";
import { RunPage } from "./pages/run.js";
import { RunsPage } from "./pages/runs.js";
import { href, useRoute } from "./router.js";

function App() {
  const route = useRoute();
  const [page, id] = route.path;
  let body: JSX.Element;
  if (page === "run" && id) body = <RunPage runId={id} params={route.params} />;
  else if (page === "compare") body = <ComparePage params={route.params} />;
  else body = <RunsPage params={route.params} />;
  return (
    <>
      <header class="top">
        <a class="brand" href={href(["runs"])}>
          runnable <span>runs</span>
        </a>
        <nav>
          <a href={href(["runs"])}>Runs</a>
        </nav>
      </header>
      <main>{body}</main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
