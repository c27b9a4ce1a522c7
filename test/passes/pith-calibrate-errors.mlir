// RUN: rm -rf %t && mkdir -p %t && %venv_python %S/Inputs/calibration.py %t
// RUN: not pith-opt %s --split-input-file --pith-calibrate="inputs=%t/stacked.npy" 2>&1 | FileCheck %s --check-prefix=NPY
// RUN: not pith-opt %s --split-input-file --pith-calibrate="inputs=%t/uneven.npz" 2>&1 | FileCheck %s --check-prefix=UNEVEN
// RUN: not pith-opt %s --split-input-file --pith-calibrate="inputs=random:1" 2>&1 | FileCheck %s --check-prefixes=NO-LAYERS,TWO-ENTRIES

// Two inputs: one .npy array cannot hold them, and a .npz file's arrays
// must hold as many samples each.
// NPY: error: pith-calibrate: '{{.*}}stacked.npy' is one array but the model has 2 inputs; give a .npz file with one array per input
// UNEVEN: error: pith-calibrate: '{{.*}}uneven.npz' holds 2 samples of one input and 3 of 'y'
func.func @two_inputs(%x: tensor<2x4xf32> {pith.name = "x"}, %y: tensor<2xf32> {pith.name = "y"}) -> tensor<2x2xf32> {
  %w = pith.constant dense<1.0> : tensor<2x4xf32>
  %a = pith.linear %x, %w : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x2xf32>
  %b = pith.add %a, %y : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
  return %b : tensor<2x2xf32>
}

// -----

// Nothing to calibrate is a warning, not an error.
// NO-LAYERS: warning: pith-calibrate: the model has no linear layers or convolutions (with static f32 inputs and weights) to calibrate
func.func @no_layers(%x: tensor<2x4xf32> {pith.name = "x"}) -> tensor<2x4xf32> {
  %r = pith.relu %x : tensor<2x4xf32>
  return %r : tensor<2x4xf32>
}

// -----

// TWO-ENTRIES: error: pith-calibrate: the model must have one public function, its entry point
func.func @first(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
func.func @second(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  return %x : tensor<2x4xf32>
}
