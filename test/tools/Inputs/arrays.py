"""Writes .npy inputs for the relu model (f32[2,3]): a good one and wrong
ones."""

import sys

import numpy as np

out = sys.argv[1]
np.save(f"{out}/good.npy", np.array([[-1, 2, -3], [4, -5, 6]], np.float32))
np.save(f"{out}/shape.npy", np.zeros((3, 2), np.float32))
np.save(f"{out}/dtype.npy", np.zeros((2, 3), np.float64))
np.save(f"{out}/fortran.npy", np.asfortranarray(np.zeros((2, 3), np.float32)))
np.save(f"{out}/big-endian.npy", np.zeros((2, 3), ">f4"))
open(f"{out}/garbage.npy", "wb").write(b"not an array")
