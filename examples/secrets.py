"""A secret read from a dotenv file (runnable's examples/secrets.py; file examples/secrets/secrets.env).

    python3 examples/secrets.py
"""

from runnable import get_secret


def show_secret():
    """Reads two secrets and checks their values."""
    assert get_secret("shell_type") == "shell type secret"
    assert get_secret("kv_style") == "value"


def main():
    from runnable import Pipeline, Task

    show = Task(name="show secret", command="examples.secrets.show_secret", terminate_with_success=True)
    pipeline = Pipeline(steps=[show], start_at=show, add_terminal_nodes=True)
    return pipeline.execute(configuration_file="examples/configs/dotenv.yaml")


if __name__ == "__main__":
    main()
