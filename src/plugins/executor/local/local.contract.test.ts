import { executorContract } from "../../../testing/contracts/executor.contract.js";

executorContract("local", { config: "executor:\n  type: local\n" });
executorContract("local (enable_parallel)", { config: "executor:\n  type: local\n  config:\n    enable_parallel: true\n    max_parallel: 4\nrun_log_store:\n  type: chunked-fs\n" });
