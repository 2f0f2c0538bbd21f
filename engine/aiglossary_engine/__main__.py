"""``python -m aiglossary_engine`` (also what ``torchrun -m aiglossary_engine pretrain ...`` runs)."""

from aiglossary_engine.cli import main

if __name__ == "__main__":
    main()
