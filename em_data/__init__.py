"""Numbers to fit: reading uploads and pastes, the classic data sets, synthetic mixtures.

Nothing here imports streamlit or plotly; the pages catch `InputError` and show its message.
"""

from em_data.datasets import DATASETS, WORKED_EXAMPLE, Dataset, DatasetInfo, load_dataset
from em_data.errors import InputError
from em_data.reader import NumericTable, check_for_fit, read_pasted, read_table
from em_data.synthetic import SyntheticSample, make_mixture, random_components

__all__ = [
    "DATASETS",
    "WORKED_EXAMPLE",
    "Dataset",
    "DatasetInfo",
    "InputError",
    "NumericTable",
    "SyntheticSample",
    "check_for_fit",
    "load_dataset",
    "make_mixture",
    "random_components",
    "read_pasted",
    "read_table",
]
