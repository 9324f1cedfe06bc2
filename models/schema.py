"""Imports every model module of the store, so that ``Base.metadata`` holds all its tables."""

import models.accounts  # noqa: F401
import models.audit  # noqa: F401
import models.calendar  # noqa: F401
import models.campaign  # noqa: F401
import models.complaints  # noqa: F401
import models.indicators.cells  # noqa: F401
import models.indicators.history  # noqa: F401
import models.orders  # noqa: F401
import models.procurement  # noqa: F401
import models.runs  # noqa: F401
import models.service  # noqa: F401
import models.uploads  # noqa: F401
import models.versions  # noqa: F401
