import { isAlwaysDenied } from './address-guard';

describe('isAlwaysDenied', () => {
  it.each(['169.254.169.254', '169.254.0.1', 'fe80::1', '::ffff:169.254.169.254', '100.100.100.200', 'fd00:ec2::254'])(
    'refuses %s',
    (address) => {
      expect(isAlwaysDenied(address)).toBe(true);
    },
  );

  it.each(['127.0.0.1', '10.0.0.5', '192.168.1.1', '93.184.216.34', '::1', 'example.com'])(
    'leaves %s to the filtering agent',
    (address) => {
      expect(isAlwaysDenied(address)).toBe(false);
    },
  );
});
