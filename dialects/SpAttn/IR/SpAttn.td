//===- SpAttn.td - umbrella for the spattn dialect ---------*- tablegen -*-===//
#ifndef SPATTN_TD
#define SPATTN_TD

include "SpAttnDialect.td"
include "SpAttnTypes.td"
include "SpAttnAttrs.td"
include "SpAttnInterfaces.td"
include "SpAttnOps.td"

#endif // SPATTN_TD
