func.func @main(%x: tensor<2x3xf32> {pith.name = "x"}) -> (tensor<2x3xf32> {pith.name = "y"}) {
  %0 = pith.relu %x : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}
