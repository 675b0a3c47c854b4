# SPDX-License-Identifier: Apache-2.0
"""ward's benchmark harness: ward against runc, crun and runsc, side by side (bench/run)."""
