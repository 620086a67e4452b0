#include "common/sha1.h"

#include <gtest/gtest.h>

#include <string>

namespace cairn {
namespace {

TEST(Sha1Test, KnownDigests) {
  // FIPS 180 examples, and the lengths around the one- and two-block tails.
  EXPECT_EQ(Sha1Hex(""), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  EXPECT_EQ(Sha1Hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(Sha1Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  EXPECT_EQ(Sha1Hex(std::string(1000000, 'a')), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
  EXPECT_EQ(Sha1Hex("The quick brown fox jumps over the lazy dog"),
            "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
  // What Redis answers to SCRIPT LOAD "return 1".
  EXPECT_EQ(Sha1Hex("return 1"), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
  EXPECT_EQ(Sha1Hex(std::string(55, 'x')).size(), 40u);
  EXPECT_NE(Sha1Hex(std::string(55, 'x')), Sha1Hex(std::string(56, 'x')));
  EXPECT_NE(Sha1Hex(std::string(63, 'x')), Sha1Hex(std::string(64, 'x')));
}

}  // namespace
}  // namespace cairn
