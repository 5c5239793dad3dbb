"""A secret read from an environment variable (runnable's examples/secrets_env.py).

    secret="secret_value" runnable_CONFIGURATION_FILE=examples/configs/secrets-env-default.yaml \
        python3 examples/secrets_env.py
"""

from runnable import get_secret


def show_secret():
    """Reads the secret and checks its value."""
    assert get_secret("secret") == "secret_value"


def main():
    from runnable import Pipeline, Task

    show = Task(name="show secret", command="examples.secrets_env.show_secret", terminate_with_success=True)
    pipeline = Pipeline(steps=[show], start_at=show, add_terminal_nodes=True)
    return pipeline.execute()


if __name__ == "__main__":
    main()
