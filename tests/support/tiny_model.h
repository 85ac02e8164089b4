// A tiny llama model for unit tests that need a real model file but not a
// real vocabulary: a synthetic SentencePiece vocabulary (specials, 256 byte
// tokens, a few pieces) and seeded random weights, written once per process
// into a temporary directory.
#pragma once

#include <string>

#include "support/fixture_model.h"

namespace pipit::test {

// Path of a synthetic vocabulary JSON (FixtureVocab format).
std::string TinyVocabPath();

// Writes (once per distinct options) and returns the path of a tiny model.
// `preset` is any preset name ("F32", "Q4_K_M", ...).
std::string TinyModelPath(const std::string& preset = "F32", bool tied = false);

// A fresh temporary file path (not created) for tests to write to.
std::string TempPath(const std::string& name);

}  // namespace pipit::test
