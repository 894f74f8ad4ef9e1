'use client';

import { useEffect, useState } from 'react';

/** `value`, once it has stayed the same for `ms` (each keystroke does not become a request). */
export function useDebounced<T>(value: T, ms: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return settled;
}
