package dataexport

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Encrypted archives start with this line, then a header:
//
//	magic "SIDECAR-ENC\n" | version u8 (1) | argon2 time u32 | memory KiB u32 |
//	threads u8 | salt [16] | nonce prefix [16]
//
// and the zip follows in 64 KiB chunks, each sealed with
// XChaCha20-Poly1305 under the Argon2id key; the nonce is the prefix and a
// big-endian chunk counter whose top bit marks the last chunk, and the
// header is the additional data of every chunk, so truncation, reordering
// and header edits all fail authentication.
var magic = []byte("SIDECAR-ENC\n")

const (
	chunkSize  = 64 << 10
	headerSize = 12 + 1 + 4 + 4 + 1 + 16 + 16
	// MaxArchiveBytes bounds what import reads (and decrypts) into memory.
	MaxArchiveBytes = 2 << 30
)

// KDF parameters; tests may lower them.
var (
	kdfTime    uint32 = 3
	kdfMemory  uint32 = 64 << 10 // KiB
	kdfThreads uint8  = 2
)

// ErrPassphrase means the passphrase is wrong or the archive was altered.
var ErrPassphrase = errors.New("dataexport: wrong passphrase, or the archive is damaged")

// ErrNeedPassphrase means the archive is encrypted and no passphrase was given.
var ErrNeedPassphrase = errors.New("dataexport: the archive is encrypted: give its passphrase")

// IsEncrypted reports whether data is an encrypted archive.
func IsEncrypted(data []byte) bool { return bytes.HasPrefix(data, magic) }

func encrypt(plain []byte, passphrase string) ([]byte, error) {
	if passphrase == "" {
		return nil, errors.New("dataexport: the passphrase is empty")
	}
	hdr := make([]byte, headerSize)
	copy(hdr, magic)
	hdr[12] = 1
	binary.BigEndian.PutUint32(hdr[13:], kdfTime)
	binary.BigEndian.PutUint32(hdr[17:], kdfMemory)
	hdr[21] = kdfThreads
	if _, err := rand.Read(hdr[22:]); err != nil {
		return nil, fmt.Errorf("dataexport: %w", err)
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(passphrase), hdr[22:38], kdfTime, kdfMemory, kdfThreads, 32))
	if err != nil {
		return nil, err
	}
	out := bytes.NewBuffer(append([]byte(nil), hdr...))
	for i, off := uint64(0), 0; ; i++ {
		end := min(off+chunkSize, len(plain))
		last := end == len(plain)
		out.Write(aead.Seal(nil, nonce(hdr[38:], i, last), plain[off:end], hdr))
		if last {
			return out.Bytes(), nil
		}
		off = end
	}
}

func nonce(prefix []byte, i uint64, last bool) []byte {
	n := make([]byte, 24)
	copy(n, prefix)
	if last {
		i |= 1 << 63
	}
	binary.BigEndian.PutUint64(n[16:], i)
	return n
}

func decrypt(data []byte, passphrase string) ([]byte, error) {
	if len(data) < headerSize+chacha20poly1305.Overhead {
		return nil, fmt.Errorf("%w (too short)", ErrPassphrase)
	}
	hdr := data[:headerSize]
	if hdr[12] != 1 {
		return nil, fmt.Errorf("dataexport: encrypted archive version %d is not supported", hdr[12])
	}
	t, m, p := binary.BigEndian.Uint32(hdr[13:]), binary.BigEndian.Uint32(hdr[17:]), hdr[21]
	// Refuse KDF parameters that would exhaust the machine.
	if t == 0 || t > 20 || m < 8 || m > 1<<20 || p == 0 || p > 16 {
		return nil, errors.New("dataexport: the archive's key-derivation settings are out of range")
	}
	if passphrase == "" {
		return nil, ErrNeedPassphrase
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(passphrase), hdr[22:38], t, m, p, 32))
	if err != nil {
		return nil, err
	}
	body := data[headerSize:]
	var out bytes.Buffer
	sealed := chunkSize + chacha20poly1305.Overhead
	for i := uint64(0); ; i++ {
		n := min(sealed, len(body))
		last := n == len(body)
		plain, err := aead.Open(nil, nonce(hdr[38:], i, last), body[:n], hdr)
		if err != nil {
			return nil, ErrPassphrase
		}
		out.Write(plain)
		if last {
			return out.Bytes(), nil
		}
		body = body[n:]
	}
}
