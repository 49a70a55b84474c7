//===- HostDevice.h - Functions callable from host and device ---*- C++ -*-===//
//
// SPATTN_HOST_DEVICE marks the semantic primitives of core/ that host code
// (reference, passes, evaluators, CPU libraries) and CUDA kernels both call:
// `__host__ __device__` under nvcc, nothing otherwise.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_CORE_HOSTDEVICE_H
#define SPATTN_CORE_HOSTDEVICE_H

#if defined(__CUDACC__)
#define SPATTN_HOST_DEVICE __host__ __device__
#else
#define SPATTN_HOST_DEVICE
#endif

#endif
