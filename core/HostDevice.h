//===- HostDevice.h - Functions callable from host and device ---*- C++ -*-===//
//
// SPATTN_HOST_DEVICE marks the semantic primitives of core/ that host code
// (reference, passes, evaluators, CPU libraries) and CUDA kernels both call:
// `__host__ __device__` under nvcc, nothing otherwise. SPATTN_UNROLL asks
// nvcc to unroll a loop of constant trip count (so that arrays indexed by
// its counter stay in registers).
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_HOSTDEVICE_H
#define SPATTN_CORE_HOSTDEVICE_H

#if defined(__CUDACC__)
#define SPATTN_HOST_DEVICE __host__ __device__
#define SPATTN_UNROLL _Pragma("unroll")
#else
#define SPATTN_HOST_DEVICE
#define SPATTN_UNROLL
#endif

#endif
