//===- cmake/pch/pch.cpp - Anchor for the shared precompiled header -------===//
//
// The pith-pch target compiles the heavy MLIR headers once; every pith
// library and tool reuses that precompiled header.
//
//===----------------------------------------------------------------------===//
