# The privacy matrix's cast (every person, a secret in every private field), shared with the scans here.
from tests.test_url_privacy import privacy_cast  # noqa: F401
