import pytest

from homeward.reference.loader import load_reference_data


@pytest.fixture
def reference_data(db):
    """The shipped reference data, loaded."""
    return load_reference_data()
