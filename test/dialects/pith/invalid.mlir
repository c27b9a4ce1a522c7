// Every verifier rule of the pith dialect, one case each.
// RUN: pith-opt %s --split-input-file --verify-diagnostics

func.func @constant_type_mismatch() {
  // expected-error @+1 {{all of {value, output} have same type}}
  %0 = "pith.constant"() <{value = dense<1.0> : tensor<2xf32>}> : () -> tensor<3xf32>
  return
}

// -----

func.func @dynamic_shape(%x: tensor<?xf32>) {
  // expected-error @+1 {{must be statically shaped tensor}}
  %0 = pith.exp %x : tensor<?xf32>
  return
}

// -----

func.func @float_op_on_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{must be statically shaped tensor of floating-point values}}
  %0 = pith.exp %x : tensor<4xi32>
  return
}

// -----

func.func @not_on_floats(%x: tensor<4xf32>) {
  // expected-error @+1 {{must be statically shaped tensor of 1-bit signless integer values}}
  %0 = pith.not %x : tensor<4xf32>
  return
}

// -----

func.func @clamp_bound_type(%x: tensor<4xf32>) {
  // expected-error @+1 {{bounds must have the element type 'f32', got 0.000000e+00 : f64}}
  %0 = pith.clamp %x {min = 0.0 : f64} : tensor<4xf32>
  return
}

// -----

func.func @clamp_float_bounds_crossed(%x: tensor<4xf32>) {
  // expected-error @+1 {{'min' exceeds 'max'}}
  %0 = pith.clamp %x {min = 1.0 : f32, max = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @clamp_int_bounds_crossed(%x: tensor<4xui8>) {
  // Unsigned: 200 > 100.
  // expected-error @+1 {{'min' exceeds 'max'}}
  %0 = pith.clamp %x {min = 200 : ui8, max = 100 : ui8} : tensor<4xui8>
  return
}

// -----

func.func @binary_no_broadcast(%a: tensor<4xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{operand types 'tensor<4xf32>' and 'tensor<3xf32>' do not broadcast}}
  %0 = pith.add %a, %b : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @binary_element_types(%a: tensor<4xf32>, %b: tensor<4xf16>) {
  // expected-error @+1 {{all of {lhs, rhs} have same element type}}
  %0 = pith.mul %a, %b : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>
  return
}

// -----

func.func @binary_wrong_result(%a: tensor<4xf32>, %b: tensor<1xf32>) {
  // expected-error @+1 {{result type 'tensor<1xf32>' differs from the inferred 'tensor<4xf32>'}}
  %0 = pith.sub %a, %b : (tensor<4xf32>, tensor<1xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @pow_on_integers(%a: tensor<4xi32>) {
  // expected-error @+1 {{must be statically shaped tensor of floating-point values}}
  %0 = pith.pow %a, %a : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return
}

// -----

func.func @and_on_floats(%a: tensor<4xf32>) {
  // expected-error @+1 {{must be statically shaped tensor of 1-bit signless integer or integer values}}
  %0 = pith.and %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_result_not_bool(%a: tensor<4xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = pith.compare eq, %a, %a : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @compare_no_broadcast(%a: tensor<4xf32>, %b: tensor<2xf32>) {
  // expected-error @+1 {{do not broadcast}}
  %0 = pith.compare eq, %a, %b : (tensor<4xf32>, tensor<2xf32>) -> tensor<4xi1>
  return
}

// -----

func.func @where_condition_not_bool(%c: tensor<4xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = pith.where %c, %a, %a : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @where_branch_types(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xi32>) {
  // expected-error @+1 {{all of {on_true, on_false} have same element type}}
  %0 = pith.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>
  return
}

// -----

func.func @where_no_broadcast(%c: tensor<3xi1>, %a: tensor<4xf32>) {
  // expected-error @+1 {{operand types 'tensor<3xi1>' and 'tensor<4xf32>' do not broadcast}}
  %0 = pith.where %c, %a, %a : (tensor<3xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @cast_shape(%a: tensor<4xf32>) {
  // expected-error @+1 {{requires the same shape for all operands and results}}
  %0 = pith.cast %a : tensor<4xf32> to tensor<2xi32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4xf32>, %b: tensor<4x4xf32>) {
  // expected-error @+1 {{operands must have rank 2 or more}}
  %0 = pith.matmul %a, %b : (tensor<4xf32>, tensor<4x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @matmul_contracting(%a: tensor<2x4xf32>, %b: tensor<3x5xf32>) {
  // expected-error @+1 {{contracting dimensions differ: lhs 'tensor<2x4xf32>' has K = 4, rhs 'tensor<3x5xf32>' has K = 3}}
  %0 = pith.matmul %a, %b : (tensor<2x4xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>
  return
}

// -----

func.func @matmul_batch(%a: tensor<2x2x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error @+1 {{batch dimensions of 'tensor<2x2x4xf32>' and 'tensor<3x4x5xf32>' do not broadcast}}
  %0 = pith.matmul %a, %b : (tensor<2x2x4xf32>, tensor<3x4x5xf32>) -> tensor<2x2x5xf32>
  return
}

// -----

func.func @linear_scalar_input(%x: tensor<f32>, %w: tensor<4x1xf32>) {
  // expected-error @+1 {{input must have rank 1 or more}}
  %0 = pith.linear %x, %w : (tensor<f32>, tensor<4x1xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @linear_weight_rank(%x: tensor<2x8xf32>, %w: tensor<4x8x1xf32>) {
  // expected-error @+1 {{weight must be [N, K], got 'tensor<4x8x1xf32>'}}
  %0 = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x8x1xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_k(%x: tensor<2x8xf32>, %w: tensor<4x7xf32>) {
  // expected-error @+1 {{input 'tensor<2x8xf32>' has K = 8 but weight 'tensor<4x7xf32>' has K = 7}}
  %0 = pith.linear %x, %w : (tensor<2x8xf32>, tensor<4x7xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @linear_bias(%x: tensor<2x8xf32>, %w: tensor<4x8xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{bias must be 'tensor<4xf32>', got 'tensor<8xf32>'}}
  %0 = pith.linear %x, %w, %b : (tensor<2x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @conv_rank(%x: tensor<1x3xf32>, %w: tensor<8x3xf32>) {
  // expected-error @+1 {{input must be [N, C, D1..Dk] with 1 to 3 spatial dimensions, got 'tensor<1x3xf32>'}}
  %0 = pith.conv %x, %w {strides = array<i64>, pads = array<i64>, dilations = array<i64>} : (tensor<1x3xf32>, tensor<8x3xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @conv_weight_rank(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3xf32>) {
  // expected-error @+1 {{weight 'tensor<8x3x3xf32>' must have the input's rank 4}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_groups_positive(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'groups' must be positive, got 0}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_groups_divide(%x: tensor<1x4x8x8xf32>, %w: tensor<6x2x3x3xf32>) {
  // expected-error @+1 {{input channels (4) and filters (6) must be multiples of groups (4)}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x2x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @conv_channels_per_group(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{weight 'tensor<8x4x3x3xf32>' must have 2 input channels per group, got 4}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_strides_count(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'strides' must have 2 entries, got 1}}
  %0 = pith.conv %x, %w {strides = array<i64: 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_negative_pad(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'pads' entries must be at least 0, got -1}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, -1, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_zero_dilation(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{'dilations' entries must be at least 1, got 0}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 0>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_window_too_large(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x5x5xf32>) {
  // expected-error @+1 {{window of extent 9 does not fit the padded input extent 8 of spatial dimension 0}}
  %0 = pith.conv %x, %w {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x5x5xf32>) -> tensor<1x8x1x4xf32>
  return
}

// -----

func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{bias must be 'tensor<8xf32>', got 'tensor<3xf32>'}}
  %0 = pith.conv %x, %w, %b {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>, tensor<3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @conv_wrong_result(%x: tensor<1x3x8x8xf32>, %w: tensor<8x3x3x3xf32>) {
  // expected-error @+1 {{result type 'tensor<1x8x4x4xf32>' differs from the inferred 'tensor<1x8x3x3xf32>'}}
  %0 = pith.conv %x, %w {strides = array<i64: 2, 2>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<8x3x3x3xf32>) -> tensor<1x8x4x4xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<8x8xf32>) {
  // expected-error @+1 {{input must be [N, C, D1..Dk] with 1 to 3 spatial dimensions, got 'tensor<8x8xf32>'}}
  %0 = pith.max_pool %x {kernel = array<i64>, strides = array<i64>, pads = array<i64>, dilations = array<i64>} : (tensor<8x8xf32>) -> tensor<8x8xf32>
  return
}

// -----

func.func @pool_kernel_count(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'kernel' must have 2 entries, got 3}}
  %0 = pith.max_pool %x {kernel = array<i64: 2, 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @pool_zero_stride(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{'strides' entries must be at least 1, got 0}}
  %0 = pith.avg_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 0, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x7xf32>
  return
}

// -----

func.func @pool_pad_covers_window(%x: tensor<1x3x8x8xf32>) {
  // expected-error @+1 {{pad 2 is not smaller than the window extent 2 of spatial dimension 1}}
  %0 = pith.max_pool %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 2>, dilations = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>) -> tensor<1x3x7x9xf32>
  return
}

// -----

func.func @reduce_no_axes(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'axes' must name at least one axis}}
  %0 = pith.reduce sum %x {axes = array<i64>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @reduce_axis_range(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.reduce max %x {axes = array<i64: 2>} : (tensor<4x4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @reduce_axes_order(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'axes' must be strictly increasing}}
  %0 = pith.reduce min %x {axes = array<i64: 1, 0>} : (tensor<4x4xf32>) -> tensor<f32>
  return
}

// -----

func.func @arg_max_axis(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis -1 is out of range for rank 2}}
  %0 = pith.arg_max %x {axis = -1 : i64} : (tensor<4x4xf32>) -> tensor<4xi64>
  return
}

// -----

func.func @arg_min_result(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of 64-bit signless integer values}}
  %0 = pith.arg_min %x {axis = 1 : i64} : (tensor<4x4xf32>) -> tensor<4xi32>
  return
}

// -----

func.func @top_k_axis(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0:2 = pith.top_k %x {axis = 2 : i64, k = 1 : i64} : (tensor<4x4xf32>) -> (tensor<4x1xf32>, tensor<4x1xi64>)
  return
}

// -----

func.func @top_k_k(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{k = 5 is not within the extent 4 of axis 1}}
  %0:2 = pith.top_k %x {axis = 1 : i64, k = 5 : i64} : (tensor<4x4xf32>) -> (tensor<4x5xf32>, tensor<4x5xi64>)
  return
}

// -----

func.func @softmax_axis(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.softmax %x {axis = 2 : i64} : tensor<4x4xf32>
  return
}

// -----

func.func @log_softmax_axis(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 5 is out of range for rank 2}}
  %0 = pith.log_softmax %x {axis = 5 : i64} : tensor<4x4xf32>
  return
}

// -----

func.func @layer_norm_axis(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.layer_norm %x {axis = 2 : i64} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @layer_norm_scale(%x: tensor<2x4x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{scale and bias must be 'tensor<4x8xf32>' (the normalized axes), got 'tensor<8xf32>'}}
  %0 = pith.layer_norm %x scale %g {axis = 1 : i64} : (tensor<2x4x8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input must be [N, C, ...], got 'tensor<4xf32>'}}
  %0 = pith.batch_norm %x, %s, %s, %s, %s : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @batch_norm_statistics(%x: tensor<2x4x8xf32>, %s: tensor<8xf32>) {
  // expected-error @+1 {{scale, bias, mean and variance must be 'tensor<4xf32>' (one per channel), got 'tensor<8xf32>'}}
  %0 = pith.batch_norm %x, %s, %s, %s, %s : (tensor<2x4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @batch_norm_statistics_differ(%x: tensor<2x4x8xf32>, %s: tensor<4xf32>, %t: tensor<3xf32>) {
  // expected-error @+1 {{all of {scale, bias, mean, variance} have same type}}
  %0 = pith.batch_norm %x, %s, %s, %t, %s : (tensor<2x4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<2x4x8xf32>
  return
}

// -----

func.func @reshape_count(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{cannot reshape 'tensor<4x4xf32>' (16 elements) to 'tensor<15xf32>' (15 elements)}}
  %0 = pith.reshape %x : tensor<4x4xf32> to tensor<15xf32>
  return
}

// -----

func.func @reshape_element_type(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{cannot change the element type; use pith.cast}}
  %0 = pith.reshape %x : tensor<4x4xf32> to tensor<16xi32>
  return
}

// -----

func.func @transpose_count(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'permutation' must have 2 entries, got 3}}
  %0 = pith.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @transpose_not_permutation(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'permutation' is not a permutation of 0..1}}
  %0 = pith.transpose %x {permutation = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @concat_empty() {
  // expected-error @+1 {{needs at least one operand}}
  %0 = pith.concat {axis = 0 : i64} : () -> tensor<4xf32>
  return
}

// -----

func.func @concat_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0 = pith.concat %x, %x {axis = 1 : i64} : (tensor<4xf32>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @concat_mismatch(%x: tensor<2x4xf32>, %y: tensor<3x3xf32>) {
  // expected-error @+1 {{operand 'tensor<3x3xf32>' does not match 'tensor<2x4xf32>' outside axis 0}}
  %0 = pith.concat %x, %y {axis = 0 : i64} : (tensor<2x4xf32>, tensor<3x3xf32>) -> tensor<5x4xf32>
  return
}

// -----

func.func @concat_element_types(%x: tensor<4xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{requires the same element type for all operands and results}}
  %0 = pith.concat %x, %y {axis = 0 : i64} : (tensor<4xf32>, tensor<4xi32>) -> tensor<8xf32>
  return
}

// -----

func.func @split_no_results(%x: tensor<4xf32>) {
  // expected-error @+1 {{expected 1 or more results}}
  pith.split %x {axis = 0 : i64} : (tensor<4xf32>) -> ()
  return
}

// -----

func.func @split_axis(%x: tensor<4xf32>) {
  // expected-error @+1 {{axis 1 is out of range for rank 1}}
  %0:2 = pith.split %x {axis = 1 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  return
}

// -----

func.func @split_mismatch(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{result 'tensor<2x3xf32>' does not match the input 'tensor<4x4xf32>' outside axis 0}}
  %0:2 = pith.split %x {axis = 0 : i64} : (tensor<4x4xf32>) -> (tensor<2x4xf32>, tensor<2x3xf32>)
  return
}

// -----

func.func @split_coverage(%x: tensor<4xf32>) {
  // expected-error @+1 {{results cover 5 positions of axis 0, the input has 4}}
  %0:2 = pith.split %x {axis = 0 : i64} : (tensor<4xf32>) -> (tensor<2xf32>, tensor<3xf32>)
  return
}

// -----

func.func @slice_count(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'steps' must have 2 entries, got 1}}
  %0 = pith.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 4, 4>, steps = array<i64: 1>} : (tensor<4x4xf32>) -> tensor<4x4xf32>
  return
}

// -----

func.func @slice_zero_step(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice [0:4:0] of dimension 0 (extent 4) is not a valid in-range slice}}
  %0 = pith.slice %x {starts = array<i64: 0>, limits = array<i64: 4>, steps = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @slice_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice [1:5:1] of dimension 0 (extent 4) is not a valid in-range slice}}
  %0 = pith.slice %x {starts = array<i64: 1>, limits = array<i64: 5>, steps = array<i64: 1>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @slice_backwards_out_of_range(%x: tensor<4xf32>) {
  // expected-error @+1 {{slice [4:0:-1] of dimension 0 (extent 4) is not a valid in-range slice}}
  %0 = pith.slice %x {starts = array<i64: 4>, limits = array<i64: 0>, steps = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_axis(%x: tensor<4x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.gather %x[%i] {axis = 2 : i64} : (tensor<4x4xf32>, tensor<2xi64>) -> tensor<4x2xf32>
  return
}

// -----

func.func @gather_empty_axis(%x: tensor<0x4xf32>, %i: tensor<2xi64>) {
  // expected-error @+1 {{cannot gather from the empty axis 0 of 'tensor<0x4xf32>'}}
  %0 = pith.gather %x[%i] {axis = 0 : i64} : (tensor<0x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gather_float_indices(%x: tensor<4x4xf32>, %i: tensor<2xf32>) {
  // expected-error @+1 {{operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = pith.gather %x[%i] {axis = 0 : i64} : (tensor<4x4xf32>, tensor<2xf32>) -> tensor<2x4xf32>
  return
}

// -----

func.func @gather_elements_axis(%x: tensor<4x4xf32>, %i: tensor<4x4xi64>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.gather_elements %x[%i] {axis = 2 : i64} : (tensor<4x4xf32>, tensor<4x4xi64>) -> tensor<4x4xf32>
  return
}

// -----

func.func @gather_elements_extent(%x: tensor<4x4xf32>, %i: tensor<2x5xi64>) {
  // expected-error @+1 {{indices 'tensor<2x5xi64>' must have the rank of 'tensor<4x4xf32>' and no larger extents outside axis 0}}
  %0 = pith.gather_elements %x[%i] {axis = 0 : i64} : (tensor<4x4xf32>, tensor<2x5xi64>) -> tensor<2x5xf32>
  return
}

// -----

func.func @gather_nd_scalar_indices(%x: tensor<4x4xf32>, %i: tensor<i64>) {
  // expected-error @+1 {{indices must have rank 1 or more}}
  %0 = pith.gather_nd %x[%i] : (tensor<4x4xf32>, tensor<i64>) -> tensor<4xf32>
  return
}

// -----

func.func @gather_nd_depth(%x: tensor<4x4xf32>, %i: tensor<2x3xi64>) {
  // expected-error @+1 {{batch_dims 0 and 3 coordinates do not fit input 'tensor<4x4xf32>'}}
  %0 = pith.gather_nd %x[%i] : (tensor<4x4xf32>, tensor<2x3xi64>) -> tensor<2xf32>
  return
}

// -----

func.func @gather_nd_batch(%x: tensor<4x4xf32>, %i: tensor<3x1xi64>) {
  // expected-error @+1 {{the first 1 axes of input and indices must match}}
  %0 = pith.gather_nd %x[%i] {batch_dims = 1 : i64} : (tensor<4x4xf32>, tensor<3x1xi64>) -> tensor<3xf32>
  return
}

// -----

func.func @expand_not_broadcast(%x: tensor<3xf32>) {
  // expected-error @+1 {{cannot broadcast 'tensor<3xf32>' to 'tensor<2x4xf32>'}}
  %0 = pith.expand %x : tensor<3xf32> to tensor<2x4xf32>
  return
}

// -----

func.func @expand_shrinks(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{cannot broadcast 'tensor<2x3xf32>' to 'tensor<3xf32>'}}
  %0 = pith.expand %x : tensor<2x3xf32> to tensor<3xf32>
  return
}

// -----

func.func @expand_element_type(%x: tensor<3xf32>) {
  // expected-error @+1 {{cannot change the element type; use pith.cast}}
  %0 = pith.expand %x : tensor<3xf32> to tensor<2x3xf16>
  return
}

// -----

func.func @pad_count(%x: tensor<4x4xf32>) {
  // expected-error @+1 {{'pads' must have 4 entries, got 2}}
  %0 = pith.pad constant %x {pads = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<6x4xf32>
  return
}

// -----

func.func @pad_negative(%x: tensor<4xf32>) {
  // expected-error @+1 {{'pads' entries must be at least 0, got -1}}
  %0 = pith.pad constant %x {pads = array<i64: -1, 0>} : (tensor<4xf32>) -> tensor<3xf32>
  return
}

// -----

func.func @pad_reflect_too_wide(%x: tensor<4xf32>) {
  // expected-error @+1 {{reflect padding of 4 needs an extent above it, dimension 0 has 4}}
  %0 = pith.pad reflect %x {pads = array<i64: 0, 4>} : (tensor<4xf32>) -> tensor<8xf32>
  return
}

// -----

func.func @pad_edge_of_empty(%x: tensor<0xf32>) {
  // expected-error @+1 {{edge padding of empty dimension 0}}
  %0 = pith.pad edge %x {pads = array<i64: 1, 0>} : (tensor<0xf32>) -> tensor<1xf32>
  return
}

// -----

func.func @quantize_result_shape(%x: tensor<4x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result 'tensor<16xi8>' must have the input's shape 'tensor<4x4xf32>'}}
  %0 = pith.quantize %x, %s : (tensor<4x4xf32>, tensor<f32>) -> tensor<16xi8>
  return
}

// -----

func.func @quantize_scale_type(%x: tensor<4x4xf32>, %s: tensor<f16>) {
  // expected-error @+1 {{scale 'tensor<f16>' must have the input's element type 'f32'}}
  %0 = pith.quantize %x, %s : (tensor<4x4xf32>, tensor<f16>) -> tensor<4x4xi8>
  return
}

// -----

func.func @quantize_storage_type(%x: tensor<4x4xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of quantized storage (i8/ui8/i4/ui4/i2/ui2) values}}
  %0 = pith.quantize %x, %s : (tensor<4x4xf32>, tensor<f32>) -> tensor<4x4xi16>
  return
}

// -----

func.func @quantize_per_tensor_scale(%x: tensor<4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{per-tensor scale must have rank 0, got 'tensor<4xf32>' (set 'axis' for per-axis or blocked scales)}}
  %0 = pith.quantize %x, %s : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xi8>
  return
}

// -----

func.func @quantize_axis(%x: tensor<4x4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = pith.quantize %x, %s {axis = 2 : i64} : (tensor<4x4xf32>, tensor<4xf32>) -> tensor<4x4xi8>
  return
}

// -----

func.func @quantize_per_axis_scale(%x: tensor<4x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{per-axis scale must have shape [8] (the extent of axis 1), got 'tensor<4xf32>'}}
  %0 = pith.quantize %x, %s {axis = 1 : i64} : (tensor<4x8xf32>, tensor<4xf32>) -> tensor<4x8xi8>
  return
}

// -----

func.func @quantize_block_without_axis(%x: tensor<4x8xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{'block_size' requires 'axis'}}
  %0 = pith.quantize %x, %s {block_size = 4 : i64} : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi4>
  return
}

// -----

func.func @quantize_block_size(%x: tensor<4x8xf32>, %s: tensor<4x2xf32>) {
  // expected-error @+1 {{'block_size' must be positive, got 0}}
  %0 = pith.quantize %x, %s {axis = 1 : i64, block_size = 0 : i64} : (tensor<4x8xf32>, tensor<4x2xf32>) -> tensor<4x8xi4>
  return
}

// -----

func.func @quantize_blocked_scale(%x: tensor<4x8xf32>, %s: tensor<4x4xf32>) {
  // expected-error @+1 {{blocked scale must have shape 'tensor<4x2xf32>' (axis 1 divided into blocks of 4), got 'tensor<4x4xf32>'}}
  %0 = pith.quantize %x, %s {axis = 1 : i64, block_size = 4 : i64} : (tensor<4x8xf32>, tensor<4x4xf32>) -> tensor<4x8xi4>
  return
}

// -----

func.func @quantize_zero_point(%x: tensor<4x8xf32>, %s: tensor<4xf32>, %z: tensor<4xi8>) {
  // expected-error @+1 {{zero point must be 'tensor<4xui8>' (the scale's shape, the storage element type), got 'tensor<4xi8>'}}
  %0 = pith.quantize %x, %s, %z {axis = 0 : i64} : (tensor<4x8xf32>, tensor<4xf32>, tensor<4xi8>) -> tensor<4x8xui8>
  return
}

// -----

func.func @dequantize_zero_point(%q: tensor<4x8xi4>, %s: tensor<4x1xf32>, %z: tensor<4x2xi4>) {
  // expected-error @+1 {{zero point must be 'tensor<4x1xi4>' (the scale's shape, the storage element type), got 'tensor<4x2xi4>'}}
  %0 = pith.dequantize %q, %s, %z {axis = 1 : i64, block_size = 8 : i64} : (tensor<4x8xi4>, tensor<4x1xf32>, tensor<4x2xi4>) -> tensor<4x8xf32>
  return
}

// -----

func.func @dequantize_per_axis_scale(%q: tensor<4x8xi8>, %s: tensor<8xf32>) {
  // expected-error @+1 {{per-axis scale must have shape [4] (the extent of axis 0), got 'tensor<8xf32>'}}
  %0 = pith.dequantize %q, %s {axis = 0 : i64} : (tensor<4x8xi8>, tensor<8xf32>) -> tensor<4x8xf32>
  return
}

// -----

func.func @dequantize_result(%q: tensor<4x8xi8>, %s: tensor<f32>) {
  // The result takes the scale's element type.
  // expected-error @+1 {{result type 'tensor<4x8xf16>' differs from the inferred 'tensor<4x8xf32>'}}
  %0 = pith.dequantize %q, %s : (tensor<4x8xi8>, tensor<f32>) -> tensor<4x8xf16>
  return
}

// -----

func.func @densify_pattern(%v: tensor<4x8xf32>, %p: tensor<4x8xui2>) {
  // expected-error @+1 {{needs 0 < n < m, got 4:4}}
  %0 = pith.densify %v, %p {n = 4 : i64, m = 4 : i64} : (tensor<4x8xf32>, tensor<4x8xui2>) -> tensor<4x8xf32>
  return
}

// -----

func.func @densify_shapes(%v: tensor<4x8xf32>, %p: tensor<4x6xui2>) {
  // expected-error @+1 {{values 'tensor<4x8xf32>' and positions 'tensor<4x6xui2>' must be matrices of one shape}}
  %0 = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<4x8xf32>, tensor<4x6xui2>) -> tensor<4x16xf32>
  return
}

// -----

func.func @densify_groups(%v: tensor<4x9xf32>, %p: tensor<4x9xui2>) {
  // expected-error @+1 {{a row's 9 values do not divide into groups of 2}}
  %0 = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<4x9xf32>, tensor<4x9xui2>) -> tensor<4x18xf32>
  return
}

// -----

func.func @densify_positions(%v: tensor<4x8xf32>, %p: tensor<4x8xui2>) {
  // expected-error @+1 {{positions 'ui2' cannot reach 7}}
  %0 = pith.densify %v, %p {n = 2 : i64, m = 8 : i64} : (tensor<4x8xf32>, tensor<4x8xui2>) -> tensor<4x32xf32>
  return
}

// -----

func.func @densify_result(%v: tensor<4x8xf32>, %p: tensor<4x8xui2>) {
  // expected-error @+1 {{result type 'tensor<4x8xf32>' differs from the inferred 'tensor<4x16xf32>'}}
  %0 = pith.densify %v, %p {n = 2 : i64, m = 4 : i64} : (tensor<4x8xf32>, tensor<4x8xui2>) -> tensor<4x8xf32>
  return
}

// -----

func.func @masked_densify_values(%v: tensor<2x3xf32>, %m: tensor<4x6xi1>) {
  // expected-error @+1 {{values 'tensor<2x3xf32>' must be a vector}}
  %0 = pith.masked_densify %v, %m : (tensor<2x3xf32>, tensor<4x6xi1>) -> tensor<4x6xf32>
  return
}

// -----

func.func @masked_densify_mask(%v: tensor<6xf32>, %m: tensor<6xi1>) {
  // expected-error @+1 {{mask 'tensor<6xi1>' must be a matrix}}
  %0 = pith.masked_densify %v, %m : (tensor<6xf32>, tensor<6xi1>) -> tensor<6xf32>
  return
}

// -----

func.func @masked_densify_count(%v: tensor<25xf32>, %m: tensor<4x6xi1>) {
  // expected-error @+1 {{25 values do not fit the mask's 24 elements}}
  %0 = pith.masked_densify %v, %m : (tensor<25xf32>, tensor<4x6xi1>) -> tensor<4x6xf32>
  return
}

// -----

func.func @masked_densify_result(%v: tensor<6xf32>, %m: tensor<4x6xi1>) {
  // expected-error @+1 {{result type 'tensor<6x4xf32>' differs from the inferred 'tensor<4x6xf32>'}}
  %0 = pith.masked_densify %v, %m : (tensor<6xf32>, tensor<4x6xi1>) -> tensor<6x4xf32>
  return
}
