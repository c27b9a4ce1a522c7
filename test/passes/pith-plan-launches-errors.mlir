// RUN: pith-opt %s --split-input-file --verify-diagnostics --pith-plan-launches

module attributes {gpu.container_module} {
  func.func @allocates(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{allocates a buffer at run time}}
    %t = memref.alloc() : memref<4xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%t : memref<4xf32>)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @dynamic_scalar(%x: memref<4xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{takes a scalar computed at run time}}
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%n : index)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: index) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @dynamic_grid(%x: memref<4xf32>, %n: index) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{has a grid or block size known only at run time}}
    gpu.launch_func @k::@k blocks in (%n, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<4xf32>)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @host_loop(%x: memref<4xf32>) {
    %c0 = arith.constant 0 : index
    %zero = arith.constant 0.0 : f32
    // expected-error @+1 {{would run on the host of a GPU model}}
    memref.store %zero, %x[%c0] : memref<4xf32>
    return
  }
}

// -----

module attributes {gpu.container_module} {
  memref.global "private" constant @table : memref<4xf32> = dense<1.0>
  func.func @host_global(%x: memref<4xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{is a constant buffer on the host, which kernels cannot read}}
    %t = memref.get_global @table : memref<4xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%t : memref<4xf32>)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: memref<4xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @clash(%y: memref<4xf32>) {
    return
  }
  gpu.module @first {
    memref.global "private" constant @table : memref<4xf32> = dense<1.0>
  }
  gpu.module @second {
    // expected-error @+1 {{is defined differently by two kernel modules}}
    memref.global "private" constant @table : memref<4xf32> = dense<2.0>
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @dynamic_buffer(%x: memref<?xf32>) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{takes a buffer of dynamic shape or layout ('memref<?xf32>'); GPU models need static ones}}
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%x : memref<?xf32>)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: memref<?xf32>) kernel {
      gpu.return
    }
  }
}

// -----

module attributes {gpu.container_module} {
  func.func @shifted_at_run_time(%x: memref<256xi8>, %shift: index) {
    %c1 = arith.constant 1 : index
    // expected-error @+1 {{shifts its view by bytes known only at run time}}
    %v = memref.view %x[%shift][] : memref<256xi8> to memref<32xf32>
    gpu.launch_func @k::@k blocks in (%c1, %c1, %c1) threads in (%c1, %c1, %c1) args(%v : memref<32xf32>)
    return
  }
  gpu.module @k {
    gpu.func @k(%a: memref<32xf32>) kernel {
      gpu.return
    }
  }
}
