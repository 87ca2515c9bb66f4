package gguf

import "fmt"

// Lookup returns the entry for key.
func (f *File) Lookup(key string) (KV, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return KV{}, false
	}
	return f.KV[i], true
}

// Has reports whether the file has key.
func (f *File) Has(key string) bool { _, ok := f.kvIndex[key]; return ok }

func (f *File) get(key string) (KV, error) {
	kv, ok := f.Lookup(key)
	if !ok {
		return KV{}, fmt.Errorf("gguf: missing key %s", key)
	}
	return kv, nil
}

// String returns a string value.
func (f *File) String(key string) (string, error) {
	kv, err := f.get(key)
	if err != nil {
		return "", err
	}
	s, ok := kv.Value.(string)
	if !ok {
		return "", fmt.Errorf("gguf: key %s is %s, not string", key, kv.Type)
	}
	return s, nil
}

// Int returns an integer value of any integer type.
func (f *File) Int(key string) (int64, error) {
	kv, err := f.get(key)
	if err != nil {
		return 0, err
	}
	i, ok := asInt(kv.Value)
	if !ok {
		return 0, fmt.Errorf("gguf: key %s is %s, not an integer", key, kv.Type)
	}
	return i, nil
}

// Float returns a float or integer value as float64.
func (f *File) Float(key string) (float64, error) {
	kv, err := f.get(key)
	if err != nil {
		return 0, err
	}
	x, ok := asFloat(kv.Value)
	if !ok {
		return 0, fmt.Errorf("gguf: key %s is %s, not a number", key, kv.Type)
	}
	return x, nil
}

// Bool returns a bool value.
func (f *File) Bool(key string) (bool, error) {
	kv, err := f.get(key)
	if err != nil {
		return false, err
	}
	b, ok := kv.Value.(bool)
	if !ok {
		return false, fmt.Errorf("gguf: key %s is %s, not bool", key, kv.Type)
	}
	return b, nil
}

// IntOr returns an integer value, or def when the key is absent.
func (f *File) IntOr(key string, def int64) (int64, error) {
	if !f.Has(key) {
		return def, nil
	}
	return f.Int(key)
}

// FloatOr returns a number, or def when the key is absent.
func (f *File) FloatOr(key string, def float64) (float64, error) {
	if !f.Has(key) {
		return def, nil
	}
	return f.Float(key)
}

// BoolOr returns a bool, or def when the key is absent.
func (f *File) BoolOr(key string, def bool) (bool, error) {
	if !f.Has(key) {
		return def, nil
	}
	return f.Bool(key)
}

// StringOr returns a string, or def when the key is absent.
func (f *File) StringOr(key string, def string) (string, error) {
	if !f.Has(key) {
		return def, nil
	}
	return f.String(key)
}

// Array returns an array value.
func (f *File) Array(key string) (Array, error) {
	kv, err := f.get(key)
	if err != nil {
		return Array{}, err
	}
	a, ok := kv.Value.(Array)
	if !ok {
		return Array{}, fmt.Errorf("gguf: key %s is %s, not array", key, kv.Type)
	}
	return a, nil
}

// Strings returns an array of strings.
func (f *File) Strings(key string) ([]string, error) {
	a, err := f.Array(key)
	if err != nil {
		return nil, err
	}
	s, ok := a.Values.([]string)
	if !ok {
		return nil, fmt.Errorf("gguf: key %s is an array of %s, not string", key, a.Elem)
	}
	return s, nil
}

// Float32s returns an array of float32.
func (f *File) Float32s(key string) ([]float32, error) {
	a, err := f.Array(key)
	if err != nil {
		return nil, err
	}
	s, ok := a.Values.([]float32)
	if !ok {
		return nil, fmt.Errorf("gguf: key %s is an array of %s, not float32", key, a.Elem)
	}
	return s, nil
}

// Ints returns an array of any integer type as int64 values (bools as 0/1
// are not integers and are refused).
func (f *File) Ints(key string) ([]int64, error) {
	a, err := f.Array(key)
	if err != nil {
		return nil, err
	}
	return a.Ints(key)
}

// Ints converts an integer array to int64 values; key names it in errors.
func (a Array) Ints(key string) ([]int64, error) {
	n := a.Len()
	out := make([]int64, n)
	conv := func(get func(i int) any) error {
		for i := range out {
			v, ok := asInt(get(i))
			if !ok {
				return fmt.Errorf("gguf: key %s: element %d does not fit int64", key, i)
			}
			out[i] = v
		}
		return nil
	}
	var err error
	switch v := a.Values.(type) {
	case []uint8:
		err = conv(func(i int) any { return v[i] })
	case []int8:
		err = conv(func(i int) any { return v[i] })
	case []uint16:
		err = conv(func(i int) any { return v[i] })
	case []int16:
		err = conv(func(i int) any { return v[i] })
	case []uint32:
		err = conv(func(i int) any { return v[i] })
	case []int32:
		err = conv(func(i int) any { return v[i] })
	case []uint64:
		err = conv(func(i int) any { return v[i] })
	case []int64:
		copy(out, v)
	default:
		return nil, fmt.Errorf("gguf: key %s is an array of %s, not integers", key, a.Elem)
	}
	return out, err
}
