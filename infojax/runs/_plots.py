"""Matplotlib for the experiments' reports, imported only when a report is drawn."""


def pyplot():
    """``matplotlib.pyplot`` on the file-only Agg backend.

    Imported when a run plots: ``import infojax`` loads no plotting library.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt
