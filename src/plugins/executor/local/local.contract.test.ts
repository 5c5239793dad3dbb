import { executorContract } from "../../../testing/contracts/executor.contract.js";

executorContract("local", { configFile: "examples/configs/default.yaml" });
executorContract("local (enable_parallel, chunked-fs)", { configFile: "examples/configs/parallel-chunked.yaml" });
