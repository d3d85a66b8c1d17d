"""Audio checks for media tests (standard library only): WAV files, tones,
Goertzel power, and how long a frequency dominates a recording.

A recording passes when the tone it should carry dominates (its Goertzel
power far above that of other frequencies) for about the right time, never
merely because a file exists."""
import math
import struct
import wave


def write_tone_wav(path, hz, ms, rate=8000, amplitude=12000):
    """A 16-bit mono WAV of a sine tone."""
    n = int(rate * ms / 1000)
    frames = b"".join(struct.pack("<h", int(amplitude * math.sin(2 * math.pi * hz * i / rate)))
                      for i in range(n))
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)


def ulaw_encode(sample):
    """One 16-bit sample as G.711 mu-law (ITU-T G.711)."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    if sample < 0:
        sample = -sample
    sample = min(sample, clip) + bias
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not sample & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (sample >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def write_tone_ulaw(path, hz, ms, rate=8000, amplitude=12000):
    """Raw G.711 mu-law of a sine tone (what SIPp's rtp_stream sends as PT 0)."""
    n = int(rate * ms / 1000)
    with open(path, "wb") as f:
        f.write(bytes(ulaw_encode(int(amplitude * math.sin(2 * math.pi * hz * i / rate))) for i in range(n)))


def read_wav(path):
    """(rate, samples) of a 16-bit mono WAV file."""
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise ValueError("%s: not 16-bit mono (%d bytes, %d channels)"
                             % (path, w.getsampwidth(), w.getnchannels()))
        rate = w.getframerate()
        data = w.readframes(w.getnframes())
    return rate, list(struct.unpack("<%dh" % (len(data) // 2), data))


def goertzel(samples, rate, hz):
    """Power of one frequency in a block of samples (Goertzel's algorithm)."""
    k = 2 * math.cos(2 * math.pi * hz / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def dominance(samples, rate, hz, others=(300, 500, 700, 1300, 1700, 2300, 2900, 3300)):
    """How many times the power at hz exceeds the strongest of the other frequencies."""
    p = goertzel(samples, rate, hz)
    q = max(goertzel(samples, rate, f) for f in others if abs(f - hz) > 100)
    return p / q if q > 0 else float("inf")


def tone_seconds(samples, rate, hz, block_ms=20, min_ratio=10.0, min_rms=500.0):
    """Seconds of 20 ms blocks where hz dominates (ratio >= min_ratio) and the block is
    loud enough (RMS >= min_rms): the tone's audible duration in a recording."""
    n = int(rate * block_ms / 1000)
    blocks = 0
    for i in range(0, len(samples) - n + 1, n):
        b = samples[i:i + n]
        rms = math.sqrt(sum(x * x for x in b) / n)
        if rms >= min_rms and dominance(b, rate, hz) >= min_ratio:
            blocks += 1
    return blocks * block_ms / 1000.0


def describe(samples, rate, hz):
    """A line for assertion messages."""
    rms = math.sqrt(sum(x * x for x in samples) / len(samples)) if samples else 0.0
    return ("%.2f s recorded, RMS %.0f, %d Hz dominance %.1f, %d Hz for %.2f s"
            % (len(samples) / rate if rate else 0, rms, hz, dominance(samples, rate, hz) if samples else 0,
               hz, tone_seconds(samples, rate, hz) if samples else 0))
