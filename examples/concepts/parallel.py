"""Two training branches side by side, all stubs (runnable's examples/concepts/parallel.py).

    python3 examples/concepts/parallel.py
"""

from runnable import Parallel, Pipeline, Stub


def main():
    prepare_xgboost = Stub(name="Prepare for XGBoost")
    train_xgboost = Stub(name="Train XGBoost", terminate_with_success=True)
    prepare_xgboost >> train_xgboost
    xgboost = Pipeline(name="XGBoost", steps=[prepare_xgboost, train_xgboost], start_at=prepare_xgboost, add_terminal_nodes=True)

    train_rf = Stub(name="Train RF", terminate_with_success=True)
    rfmodel = Pipeline(steps=[train_rf], start_at=train_rf, add_terminal_nodes=True)

    get_features = Stub(name="Get Features")
    train_models = Parallel(name="Train Models", branches={"XGBoost": xgboost, "RF Model": rfmodel})
    ensemble_model = Stub(name="Ensemble Modelling")
    run_inference = Stub(name="Run Inference", terminate_with_success=True)

    get_features >> train_models >> ensemble_model >> run_inference

    pipeline = Pipeline(steps=[get_features, train_models, ensemble_model, run_inference], start_at=get_features, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/fs-catalog-run_log.yaml")


if __name__ == "__main__":
    main()
