"""Writes calibration samples for pith-calibrate.mlir's model (input 'x',
f32[2, 4]) into the directory given: two samples stacked, in .npz
(stored and deflated) and .npy files, and wrong ones."""

import sys

import numpy as np

out = sys.argv[1]
samples = np.array(
    [[[1, 2, 0, -1], [0, 0, 0, 0]], [[2, 0, 0, 0], [0, -3, 0, 0]]], np.float32
)
np.savez(f"{out}/stacked.npz", x=samples)
np.savez_compressed(f"{out}/deflated.npz", x=samples)
np.save(f"{out}/stacked.npy", samples)
np.savez(f"{out}/one.npz", x=samples[0])
np.savez(f"{out}/unknown.npz", x=samples, y=samples)
np.savez(f"{out}/missing.npz")
np.savez(f"{out}/shape.npz", x=np.zeros((3, 4), np.float32))
np.savez(f"{out}/dtype.npz", x=samples.astype(np.float64))
open(f"{out}/garbage.npz", "wb").write(b"not an archive")
# For pith-calibrate-errors.mlir's model of two inputs, 'x' f32[2, 4] and
# 'y' f32[2]: 2 samples of one and 3 of the other.
np.savez(f"{out}/uneven.npz", x=samples, y=np.zeros((3, 2), np.float32))
