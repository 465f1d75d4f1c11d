// SPDX-License-Identifier: Apache-2.0
// Python's number formatting, for byte-identical output with the reference service.
#pragma once

#include <string>

namespace dial_analytics::detail {

/// Appends Python's `repr(float)`: shortest round trip, `1.0`, `1e-05`, `1.5e+16`, `inf`, `nan`.
void append_python_float_repr(std::string& out, double value);

}  // namespace dial_analytics::detail
