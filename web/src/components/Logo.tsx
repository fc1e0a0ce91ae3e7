export default function Logo({ size = 28 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" className="logo">
      <circle cx="16" cy="16" r="15" fill="#25d366" />
      <path
        d="M10 9h12a3 3 0 0 1 3 3v7a3 3 0 0 1-3 3h-7l-5 4v-4a3 3 0 0 1-3-3v-7a3 3 0 0 1 3-3z"
        fill="#fff"
      />
    </svg>
  )
}
