import os

import matplotlib

# The unit tests draw without a screen. Select the backend in this process only: setting
# MPLBACKEND in os.environ would leak into the kernels that nbval starts from this same
# pytest session, and the notebooks would then store no inline figures.
matplotlib.use("Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
