//===- main.cpp - pith-opt: run any pith or upstream pass -----------------===//
//
// Part of pith. The opt-like driver: parses MLIR, runs passes given as
// flags or as a pipeline, prints the result. Used by every lit test.
//
//===----------------------------------------------------------------------===//

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "pith/Compiler.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  pith::registerDialects(registry);
  pith::registerPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "pith optimizer driver: runs pith and MLIR passes\n",
      registry));
}
